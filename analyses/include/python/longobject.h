/* veriline fake <longobject.h>: declarations are in the fake Python.h. */
#include <Python.h>
