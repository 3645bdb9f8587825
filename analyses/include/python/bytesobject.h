/* veriline fake <bytesobject.h>: declarations are in the fake Python.h. */
#include <Python.h>
