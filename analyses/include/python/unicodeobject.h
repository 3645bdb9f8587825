/* veriline fake <unicodeobject.h>: declarations are in the fake Python.h. */
#include <Python.h>
