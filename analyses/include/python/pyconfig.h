/* veriline fake <pyconfig.h>: declarations are in the fake Python.h. */
#include <Python.h>
