/* veriline fake <pymem.h>: declarations are in the fake Python.h. */
#include <Python.h>
