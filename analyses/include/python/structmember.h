/* veriline fake <structmember.h>: the member definitions are in the fake Python.h. */
#include <Python.h>
PyObject *PyMember_GetOne(const char *, PyMemberDef *);
int PyMember_SetOne(char *, PyMemberDef *, PyObject *);
