/* veriline fake <frameobject.h>: declarations are in the fake Python.h. */
#include <Python.h>
