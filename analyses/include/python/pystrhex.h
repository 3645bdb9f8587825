/* veriline fake <pystrhex.h>: declarations are in the fake Python.h. */
#include <Python.h>
