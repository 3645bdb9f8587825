/* veriline fake <Python.h>: the CPython C API that extension modules use, declared so
   that pycparser can read extension modules (the real header is not C that pycparser
   parses).  Integer types have their real LP64 widths; objects are opaque. */
#ifndef VERILINE_PYTHON_H
#define VERILINE_PYTHON_H
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdarg.h>
#include <assert.h>
#include <errno.h>
#include <math.h>

#define PY_MAJOR_VERSION 3
#define PY_MINOR_VERSION 11
#define PY_MICRO_VERSION 0
#define PY_VERSION_HEX 0x030B00F0
#define PY_VERSION "3.11.0"
#define Py_LIMITED_API_NOT_SET 1

typedef long Py_ssize_t;
typedef uintptr_t Py_uintptr_t;
typedef intptr_t Py_intptr_t;
typedef long long PY_LONG_LONG;
#define PY_LONG_LONG long long
#define PY_LLONG_MAX LLONG_MAX
#define PY_LLONG_MIN LLONG_MIN
#define PY_ULLONG_MAX ULLONG_MAX
#define PyDoc_VAR(name) static const char name[]
#define PyDoc_STRVAR(name, str) PyDoc_VAR(name) = PyDoc_STR(str)
#define PyDoc_STR(str) str
#define Py_hash_t_defined 1
#define SIZEOF_SIZE_T 8
#define SIZEOF_LONG 8
#define SIZEOF_INT 4
#define SIZEOF_VOID_P 8
#define SIZEOF_LONG_LONG 8
#define SIZEOF_WCHAR_T 4
#define HAVE_LONG_LONG 1
#define HAVE_STDARG_PROTOTYPES 1
#define Py_FORMAT_PARSETUPLE(func, p1, p2)
typedef Py_ssize_t Py_hash_t;
typedef unsigned long Py_uhash_t;
typedef unsigned int Py_UCS4;
typedef unsigned short Py_UCS2;
typedef unsigned char Py_UCS1;
typedef wchar_t Py_UNICODE;
#define PY_SSIZE_T_MAX LONG_MAX
#define PY_SSIZE_T_MIN LONG_MIN
#define PY_SSIZE_T_CLEAN 1

typedef struct _typeobject PyTypeObject;
typedef struct _object { Py_ssize_t ob_refcnt; PyTypeObject *ob_type; } PyObject;
typedef struct { PyObject ob_base; Py_ssize_t ob_size; } PyVarObject;
#define PyObject_HEAD PyObject ob_base;
#define PyObject_VAR_HEAD PyVarObject ob_base;
#define PyObject_HEAD_INIT(type) { 1, type },
#define PyVarObject_HEAD_INIT(type, size) { { 1, type }, size },
#define Py_TYPE(ob) (((PyObject *)(ob))->ob_type)
#define Py_REFCNT(ob) (((PyObject *)(ob))->ob_refcnt)
#define Py_SIZE(ob) (((PyVarObject *)(ob))->ob_size)
#define Py_SET_TYPE(ob, t) ((void)(Py_TYPE(ob) = (t)))
#define Py_SET_SIZE(ob, n) ((void)(Py_SIZE(ob) = (n)))
#define Py_SET_REFCNT(ob, n) ((void)(Py_REFCNT(ob) = (n)))
#define _PyObject_CAST(op) ((PyObject *)(op))

typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);
typedef PyObject *(*PyCFunctionWithKeywords)(PyObject *, PyObject *, PyObject *);
typedef PyObject *(*_PyCFunctionFast)(PyObject *, PyObject *const *, Py_ssize_t);
typedef PyObject *(*_PyCFunctionFastWithKeywords)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
typedef PyObject *(*PyCMethod)(PyObject *, PyTypeObject *, PyObject *const *, size_t, PyObject *);
typedef PyObject *(*getter)(PyObject *, void *);
typedef int (*setter)(PyObject *, PyObject *, void *);
typedef void (*destructor)(PyObject *);
typedef void (*freefunc)(void *);
typedef PyObject *(*reprfunc)(PyObject *);
typedef Py_ssize_t printfunc;       /* the old tp_print slot, now tp_vectorcall_offset */
typedef Py_hash_t (*hashfunc)(PyObject *);
typedef PyObject *(*richcmpfunc)(PyObject *, PyObject *, int);
typedef PyObject *(*getiterfunc)(PyObject *);
typedef PyObject *(*iternextfunc)(PyObject *);
typedef PyObject *(*descrgetfunc)(PyObject *, PyObject *, PyObject *);
typedef int (*descrsetfunc)(PyObject *, PyObject *, PyObject *);
typedef int (*initproc)(PyObject *, PyObject *, PyObject *);
typedef PyObject *(*newfunc)(PyTypeObject *, PyObject *, PyObject *);
typedef PyObject *(*allocfunc)(PyTypeObject *, Py_ssize_t);
typedef PyObject *(*getattrfunc)(PyObject *, char *);
typedef int (*setattrfunc)(PyObject *, char *, PyObject *);
typedef PyObject *(*getattrofunc)(PyObject *, PyObject *);
typedef int (*setattrofunc)(PyObject *, PyObject *, PyObject *);
typedef int (*visitproc)(PyObject *, void *);
typedef int (*traverseproc)(PyObject *, visitproc, void *);
typedef int (*inquiry)(PyObject *);
typedef Py_ssize_t (*lenfunc)(PyObject *);
typedef PyObject *(*unaryfunc)(PyObject *);
typedef PyObject *(*binaryfunc)(PyObject *, PyObject *);
typedef PyObject *(*ternaryfunc)(PyObject *, PyObject *, PyObject *);
typedef PyObject *(*ssizeargfunc)(PyObject *, Py_ssize_t);
typedef int (*ssizeobjargproc)(PyObject *, Py_ssize_t, PyObject *);
typedef int (*objobjargproc)(PyObject *, PyObject *, PyObject *);
typedef int (*objobjproc)(PyObject *, PyObject *);
typedef PyObject *(*vectorcallfunc)(PyObject *, PyObject *const *, size_t, PyObject *);

typedef struct bufferinfo {
    void *buf; PyObject *obj; Py_ssize_t len; Py_ssize_t itemsize; int readonly; int ndim;
    char *format; Py_ssize_t *shape; Py_ssize_t *strides; Py_ssize_t *suboffsets;
    void *internal;
} Py_buffer;
typedef int (*getbufferproc)(PyObject *, Py_buffer *, int);
typedef void (*releasebufferproc)(PyObject *, Py_buffer *);
#define PyBUF_SIMPLE 0
#define PyBUF_WRITABLE 0x0001
#define PyBUF_WRITEABLE PyBUF_WRITABLE
#define PyBUF_FORMAT 0x0004
#define PyBUF_ND 0x0008
#define PyBUF_STRIDES (0x0010 | PyBUF_ND)
#define PyBUF_C_CONTIGUOUS (0x0020 | PyBUF_STRIDES)
#define PyBUF_ANY_CONTIGUOUS (0x0080 | PyBUF_STRIDES)
#define PyBUF_INDIRECT (0x0100 | PyBUF_STRIDES)
#define PyBUF_CONTIG (PyBUF_ND | PyBUF_WRITABLE)
#define PyBUF_CONTIG_RO (PyBUF_ND)
#define PyBUF_FULL (PyBUF_INDIRECT | PyBUF_WRITABLE | PyBUF_FORMAT)
#define PyBUF_FULL_RO (PyBUF_INDIRECT | PyBUF_FORMAT)
#define PyBUF_RECORDS (PyBUF_STRIDES | PyBUF_WRITABLE | PyBUF_FORMAT)
#define PyBUF_READ 0x100
#define PyBUF_WRITE 0x200

typedef struct { lenfunc sq_length; binaryfunc sq_concat; ssizeargfunc sq_repeat;
    ssizeargfunc sq_item; void *was_sq_slice; ssizeobjargproc sq_ass_item;
    void *was_sq_ass_slice; objobjproc sq_contains; binaryfunc sq_inplace_concat;
    ssizeargfunc sq_inplace_repeat; } PySequenceMethods;
typedef struct { lenfunc mp_length; binaryfunc mp_subscript;
    objobjargproc mp_ass_subscript; } PyMappingMethods;
typedef struct { binaryfunc nb_add; binaryfunc nb_subtract; binaryfunc nb_multiply;
    binaryfunc nb_remainder; binaryfunc nb_divmod; ternaryfunc nb_power;
    unaryfunc nb_negative; unaryfunc nb_positive; unaryfunc nb_absolute; inquiry nb_bool;
    unaryfunc nb_invert; binaryfunc nb_lshift; binaryfunc nb_rshift; binaryfunc nb_and;
    binaryfunc nb_xor; binaryfunc nb_or; unaryfunc nb_int; void *nb_reserved;
    unaryfunc nb_float; binaryfunc nb_inplace_add; binaryfunc nb_inplace_subtract;
    binaryfunc nb_inplace_multiply; binaryfunc nb_inplace_remainder;
    ternaryfunc nb_inplace_power; binaryfunc nb_inplace_lshift;
    binaryfunc nb_inplace_rshift; binaryfunc nb_inplace_and; binaryfunc nb_inplace_xor;
    binaryfunc nb_inplace_or; binaryfunc nb_floor_divide; binaryfunc nb_true_divide;
    binaryfunc nb_inplace_floor_divide; binaryfunc nb_inplace_true_divide;
    unaryfunc nb_index; binaryfunc nb_matrix_multiply;
    binaryfunc nb_inplace_matrix_multiply; } PyNumberMethods;
typedef struct { getbufferproc bf_getbuffer; releasebufferproc bf_releasebuffer; } PyBufferProcs;
typedef struct { unaryfunc am_await; unaryfunc am_aiter; unaryfunc am_anext;
    void *am_send; } PyAsyncMethods;

typedef struct PyMethodDef { const char *ml_name; PyCFunction ml_meth; int ml_flags;
    const char *ml_doc; } PyMethodDef;
typedef struct PyMemberDef { const char *name; int type; Py_ssize_t offset; int flags;
    const char *doc; } PyMemberDef;
typedef struct PyGetSetDef { const char *name; getter get; setter set; const char *doc;
    void *closure; } PyGetSetDef;
typedef struct { int slot; void *pfunc; } PyType_Slot;
typedef struct { const char *name; int basicsize; int itemsize; unsigned int flags;
    PyType_Slot *slots; } PyType_Spec;

struct _typeobject {
    PyVarObject ob_base; const char *tp_name; Py_ssize_t tp_basicsize, tp_itemsize;
    destructor tp_dealloc; Py_ssize_t tp_vectorcall_offset; getattrfunc tp_getattr;
    setattrfunc tp_setattr; PyAsyncMethods *tp_as_async; reprfunc tp_repr;
    PyNumberMethods *tp_as_number; PySequenceMethods *tp_as_sequence;
    PyMappingMethods *tp_as_mapping; hashfunc tp_hash; ternaryfunc tp_call;
    reprfunc tp_str; getattrofunc tp_getattro; setattrofunc tp_setattro;
    PyBufferProcs *tp_as_buffer; unsigned long tp_flags; const char *tp_doc;
    traverseproc tp_traverse; inquiry tp_clear; richcmpfunc tp_richcompare;
    Py_ssize_t tp_weaklistoffset; getiterfunc tp_iter; iternextfunc tp_iternext;
    struct PyMethodDef *tp_methods; struct PyMemberDef *tp_members;
    struct PyGetSetDef *tp_getset; PyTypeObject *tp_base; PyObject *tp_dict;
    descrgetfunc tp_descr_get; descrsetfunc tp_descr_set; Py_ssize_t tp_dictoffset;
    initproc tp_init; allocfunc tp_alloc; newfunc tp_new; freefunc tp_free;
    inquiry tp_is_gc; PyObject *tp_bases; PyObject *tp_mro; PyObject *tp_cache;
    PyObject *tp_subclasses; PyObject *tp_weaklist; destructor tp_del;
    unsigned int tp_version_tag; destructor tp_finalize; vectorcallfunc tp_vectorcall;
};

typedef struct PyModuleDef_Base { PyObject ob_base; PyObject *(*m_init)(void);
    Py_ssize_t m_index; PyObject *m_copy; } PyModuleDef_Base;
typedef struct PyModuleDef_Slot { int slot; void *value; } PyModuleDef_Slot;
typedef struct PyModuleDef { PyModuleDef_Base m_base; const char *m_name; const char *m_doc;
    Py_ssize_t m_size; PyMethodDef *m_methods; PyModuleDef_Slot *m_slots;
    traverseproc m_traverse; inquiry m_clear; freefunc m_free; } PyModuleDef;
#define PyModuleDef_HEAD_INIT { { 1, 0 }, 0, 0, 0 }
#define Py_mod_create 1
#define Py_mod_exec 2

#define METH_VARARGS 0x0001
#define METH_KEYWORDS 0x0002
#define METH_NOARGS 0x0004
#define METH_O 0x0008
#define METH_CLASS 0x0010
#define METH_STATIC 0x0020
#define METH_COEXIST 0x0040
#define METH_FASTCALL 0x0080
#define METH_METHOD 0x0200
#define Py_TPFLAGS_DEFAULT 0
#define Py_TPFLAGS_BASETYPE (1UL << 10)
#define Py_TPFLAGS_HAVE_GC (1UL << 14)
#define Py_TPFLAGS_HAVE_VERSION_TAG (1UL << 18)
#define Py_TPFLAGS_LONG_SUBCLASS (1UL << 24)
#define Py_TPFLAGS_LIST_SUBCLASS (1UL << 25)
#define Py_TPFLAGS_TUPLE_SUBCLASS (1UL << 26)
#define Py_TPFLAGS_BYTES_SUBCLASS (1UL << 27)
#define Py_TPFLAGS_UNICODE_SUBCLASS (1UL << 28)
#define Py_TPFLAGS_DICT_SUBCLASS (1UL << 29)
#define Py_TPFLAGS_TYPE_SUBCLASS (1UL << 31)
#define Py_TPFLAGS_CHECKTYPES 0
#define Py_TPFLAGS_HAVE_ITER 0
#define Py_TPFLAGS_HAVE_RICHCOMPARE 0
#define Py_TPFLAGS_HAVE_WEAKREFS 0
#define Py_TPFLAGS_HAVE_CLASS 0
#define Py_TPFLAGS_IMMUTABLETYPE (1UL << 8)
#define Py_TPFLAGS_DISALLOW_INSTANTIATION (1UL << 7)
#define Py_TPFLAGS_MAPPING (1 << 6)
#define Py_TPFLAGS_SEQUENCE (1 << 5)

#define T_SHORT 0
#define T_INT 1
#define T_LONG 2
#define T_FLOAT 3
#define T_DOUBLE 4
#define T_STRING 5
#define T_OBJECT 6
#define T_CHAR 7
#define T_BYTE 8
#define T_UBYTE 9
#define T_UINT 11
#define T_USHORT 10
#define T_ULONG 12
#define T_STRING_INPLACE 13
#define T_BOOL 14
#define T_OBJECT_EX 16
#define T_LONGLONG 17
#define T_ULONGLONG 18
#define T_PYSSIZET 19
#define T_NONE 20
#define READONLY 1
#define READ_RESTRICTED 2
#define PY_WRITE_RESTRICTED 4
#define RESTRICTED (READ_RESTRICTED | PY_WRITE_RESTRICTED)
#define Py_T_INT T_INT
#define Py_T_OBJECT_EX T_OBJECT_EX
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY

#define Py_LT 0
#define Py_LE 1
#define Py_EQ 2
#define Py_NE 3
#define Py_GT 4
#define Py_GE 5
#define Py_PRINT_RAW 1
#define Py_single_input 256
#define Py_file_input 257
#define Py_eval_input 258

#define PyAPI_FUNC(RTYPE) RTYPE
#define PyAPI_DATA(RTYPE) extern RTYPE
#define PyMODINIT_FUNC PyObject *
#define Py_LOCAL(type) static type
#define Py_LOCAL_INLINE(type) static inline type
#define Py_ALWAYS_INLINE
#define Py_NO_INLINE
#define Py_UNUSED(name) name
#define Py_DEPRECATED(v)
#define Py_GCC_ATTRIBUTE(x)
#define Py_ARRAY_LENGTH(a) (sizeof(a) / sizeof((a)[0]))
#define Py_MIN(x, y) (((x) > (y)) ? (y) : (x))
#define Py_MAX(x, y) (((x) > (y)) ? (x) : (y))
#define Py_ABS(x) ((x) < 0 ? -(x) : (x))
#define Py_CHARMASK(c) ((unsigned char)((c) & 0xff))
#define Py_SAFE_DOWNCAST(v, wide, narrow) ((narrow)(v))
#define Py_STRINGIFY(x) #x
#define Py_MEMBER_SIZE(type, member) sizeof(((type *)0)->member)
#define Py_UNREACHABLE() abort()
#define Py_FatalError(msg) abort()
#define _Py_NO_RETURN
#define Py_EXPORTED_SYMBOL
#define Py_IMPORTED_SYMBOL
#define Py_LOCAL_SYMBOL
#define Py_BUILD_CORE_NOT_SET 1
#define Py_IS_TYPE(ob, type) (Py_TYPE(ob) == (type))
#define Py_Is(x, y) ((x) == (y))
#define Py_IsNone(x) Py_Is((x), Py_None)
#define Py_IsTrue(x) Py_Is((x), Py_True)
#define Py_IsFalse(x) Py_Is((x), Py_False)

void Py_IncRef(PyObject *);
void Py_DecRef(PyObject *);
#define Py_INCREF(op) Py_IncRef(_PyObject_CAST(op))
#define Py_DECREF(op) Py_DecRef(_PyObject_CAST(op))
#define Py_XINCREF(op) Py_IncRef(_PyObject_CAST(op))
#define Py_XDECREF(op) Py_DecRef(_PyObject_CAST(op))
#define Py_CLEAR(op) do { Py_XDECREF(op); (op) = NULL; } while (0)
#define Py_SETREF(op, op2) do { PyObject *_py_tmp = _PyObject_CAST(op); (op) = (op2); Py_DECREF(_py_tmp); } while (0)
#define Py_XSETREF(op, op2) do { PyObject *_py_tmp = _PyObject_CAST(op); (op) = (op2); Py_XDECREF(_py_tmp); } while (0)
#define Py_VISIT(op) do { if (op) { int vret = visit(_PyObject_CAST(op), arg); if (vret) return vret; } } while (0)
PyObject *Py_NewRef(PyObject *);
PyObject *Py_XNewRef(PyObject *);
#define Py_NewRef(o) Py_NewRef(_PyObject_CAST(o))
#define Py_XNewRef(o) Py_XNewRef(_PyObject_CAST(o))

extern PyObject _Py_NoneStruct, _Py_NotImplementedStruct, _Py_EllipsisObject;
extern PyObject _Py_TrueStruct, _Py_FalseStruct;
#define Py_None (&_Py_NoneStruct)
#define Py_NotImplemented (&_Py_NotImplementedStruct)
#define Py_Ellipsis (&_Py_EllipsisObject)
#define Py_True (&_Py_TrueStruct)
#define Py_False (&_Py_FalseStruct)
#define Py_RETURN_NONE return Py_NewRef(Py_None)
#define Py_RETURN_TRUE return Py_NewRef(Py_True)
#define Py_RETURN_FALSE return Py_NewRef(Py_False)
#define Py_RETURN_NOTIMPLEMENTED return Py_NewRef(Py_NotImplemented)
#define Py_RETURN_RICHCOMPARE(val1, val2, op) do { int _c = 0; switch (op) { \
    case Py_EQ: _c = (val1) == (val2); break; case Py_NE: _c = (val1) != (val2); break; \
    case Py_LT: _c = (val1) < (val2); break; case Py_GT: _c = (val1) > (val2); break; \
    case Py_LE: _c = (val1) <= (val2); break; case Py_GE: _c = (val1) >= (val2); break; \
    default: abort(); } if (_c) Py_RETURN_TRUE; else Py_RETURN_FALSE; } while (0)

extern PyTypeObject PyType_Type, PyBaseObject_Type, PyLong_Type, PyBool_Type, PyFloat_Type,
    PyComplex_Type, PyBytes_Type, PyByteArray_Type, PyUnicode_Type, PyTuple_Type,
    PyList_Type, PyDict_Type, PySet_Type, PyFrozenSet_Type, PySlice_Type, PyRange_Type,
    PyModule_Type, PyCFunction_Type, PyMemoryView_Type, PyCapsule_Type, PySeqIter_Type,
    PyDictKeys_Type, PyDictValues_Type, PyDictItems_Type, PyProperty_Type, PyMethod_Type,
    PyFunction_Type, PyCode_Type, PyFrame_Type, PyGen_Type, PyCell_Type, PyEllipsis_Type;
extern PyObject *PyExc_BaseException, *PyExc_Exception, *PyExc_TypeError,
    *PyExc_ValueError, *PyExc_KeyError, *PyExc_IndexError, *PyExc_OverflowError,
    *PyExc_MemoryError, *PyExc_RuntimeError, *PyExc_AttributeError,
    *PyExc_NotImplementedError, *PyExc_StopIteration, *PyExc_ZeroDivisionError,
    *PyExc_UnicodeDecodeError, *PyExc_UnicodeEncodeError, *PyExc_UnicodeError,
    *PyExc_SystemError, *PyExc_OSError, *PyExc_IOError, *PyExc_EOFError,
    *PyExc_LookupError, *PyExc_ArithmeticError, *PyExc_AssertionError,
    *PyExc_BufferError, *PyExc_ImportError, *PyExc_RecursionError,
    *PyExc_DeprecationWarning, *PyExc_RuntimeWarning, *PyExc_UserWarning,
    *PyExc_Warning, *PyExc_FutureWarning, *PyExc_PendingDeprecationWarning,
    *PyExc_KeyboardInterrupt, *PyExc_SystemExit, *PyExc_GeneratorExit,
    *PyExc_FileNotFoundError, *PyExc_PermissionError, *PyExc_TimeoutError,
    *PyExc_NameError, *PyExc_UnboundLocalError, *PyExc_SyntaxError,
    *PyExc_FloatingPointError, *PyExc_StopAsyncIteration, *PyExc_BlockingIOError,
    *PyExc_BytesWarning, *PyExc_UnicodeWarning, *PyExc_ResourceWarning,
    *PyExc_EnvironmentError;

/* object layouts extension modules look into (field names as in CPython 3.11) */
typedef struct { PyObject_VAR_HEAD PyObject *ob_item[1]; } PyTupleObject;
typedef struct { PyObject_VAR_HEAD PyObject **ob_item; Py_ssize_t allocated; } PyListObject;
typedef struct { PyObject_VAR_HEAD Py_hash_t ob_shash; char ob_sval[1]; } PyBytesObject;
typedef struct { PyObject_VAR_HEAD Py_ssize_t ob_alloc; char *ob_bytes; char *ob_start;
    Py_ssize_t ob_exports; } PyByteArrayObject;
typedef struct { PyObject_HEAD double ob_fval; } PyFloatObject;
typedef struct { double real; double imag; } Py_complex;
typedef struct { PyObject_HEAD Py_complex cval; } PyComplexObject;
typedef struct _longobject { PyObject_VAR_HEAD unsigned int ob_digit[1]; } PyLongObject;
typedef struct { PyObject_HEAD Py_ssize_t length; Py_hash_t hash; struct { unsigned int
    interned:2; unsigned int kind:3; unsigned int compact:1; unsigned int ascii:1;
    unsigned int ready:1; } state; wchar_t *wstr; } PyASCIIObject;
typedef struct { PyASCIIObject _base; Py_ssize_t utf8_length; char *utf8;
    Py_ssize_t wstr_length; } PyCompactUnicodeObject;
typedef struct { PyCompactUnicodeObject _base; union { void *any; Py_UCS1 *latin1;
    Py_UCS2 *ucs2; Py_UCS4 *ucs4; } data; } PyUnicodeObject;
typedef struct { PyObject_HEAD Py_ssize_t ma_used; uint64_t ma_version_tag; void *ma_keys;
    PyObject **ma_values; } PyDictObject;
typedef struct { PyObject_HEAD Py_ssize_t fill; Py_ssize_t used; Py_ssize_t mask;
    void *table; Py_hash_t hash; Py_ssize_t finger; void *smalltable[8];
    PyObject *weakreflist; } PySetObject;
typedef struct { PyObject_HEAD PyObject *start, *stop, *step; } PySliceObject;
typedef struct { PyObject_HEAD PyMethodDef *m_ml; PyObject *m_self; PyObject *m_module;
    PyObject *m_weakreflist; vectorcallfunc vectorcall; } PyCFunctionObject;
typedef struct { PyObject_HEAD PyObject *im_func; PyObject *im_self;
    PyObject *im_weakreflist; vectorcallfunc vectorcall; } PyMethodObject;
typedef struct _PyWeakReference { PyObject_HEAD PyObject *wr_object; PyObject *wr_callback;
    Py_hash_t hash; struct _PyWeakReference *wr_prev, *wr_next; } PyWeakReference;
typedef struct { PyObject_HEAD PyObject *md_dict; PyModuleDef *md_def; void *md_state;
    PyObject *md_weaklist; PyObject *md_name; } PyModuleObject;
typedef struct { PyObject_HEAD PyObject *mbuf; Py_hash_t hash; int flags;
    Py_ssize_t exports; Py_buffer view; } PyMemoryViewObject;
typedef struct _heaptypeobject { PyTypeObject ht_type; PyAsyncMethods as_async;
    PyNumberMethods as_number; PyMappingMethods as_mapping;
    PySequenceMethods as_sequence; PyBufferProcs as_buffer; PyObject *ht_name, *ht_slots,
    *ht_qualname; void *ht_cached_keys; PyObject *ht_module; } PyHeapTypeObject;
typedef struct PyCodeObject PyCodeObject;
typedef struct _frame PyFrameObject;
typedef struct _is PyInterpreterState;
typedef struct _ts PyThreadState;
typedef struct { const char *name; const char *doc; } PyStructSequence_Field;
typedef struct { const char *name; const char *doc; PyStructSequence_Field *fields;
    int n_in_sequence; } PyStructSequence_Desc;
PyTypeObject *PyStructSequence_NewType(PyStructSequence_Desc *);
int PyStructSequence_InitType2(PyTypeObject *, PyStructSequence_Desc *);
PyObject *PyStructSequence_New(PyTypeObject *);
void PyStructSequence_SetItem(PyObject *, Py_ssize_t, PyObject *);
#define _Py_NULL NULL
#define _Py_CAST(type, expr) ((type)(expr))
#define _PyObject_CAST_CONST(op) ((const PyObject *)(op))
#define _PyVarObject_CAST(op) ((PyVarObject *)(op))
#define Py_UNICODE_SIZE 4
#define SSTATE_NOT_INTERNED 0
#define PyLong_SHIFT 30
#define PyLong_BASE ((unsigned int)1 << PyLong_SHIFT)
#define PyLong_MASK ((unsigned int)(PyLong_BASE - 1))
typedef unsigned int digit;
typedef int sdigit;
typedef unsigned long twodigits;
typedef long stwodigits;
PyObject *_PyList_Extend(PyListObject *, PyObject *);
PyObject *_PyDict_NewPresized(Py_ssize_t);
int _PyDict_Next(PyObject *, Py_ssize_t *, PyObject **, PyObject **, Py_hash_t *);
PyObject *_PyDict_GetItem_KnownHash(PyObject *, PyObject *, Py_hash_t);
int _PyDict_SetItem_KnownHash(PyObject *, PyObject *, PyObject *, Py_hash_t);
int _PyDict_DelItem_KnownHash(PyObject *, PyObject *, Py_hash_t);
int _PyDict_Contains_KnownHash(PyObject *, PyObject *, Py_hash_t);
PyObject *_PyObject_GetAttrId(PyObject *, void *);
int _PyObject_LookupAttr(PyObject *, PyObject *, PyObject **);
PyObject *_PyObject_CallNoArg(PyObject *);
PyObject *_PyObject_FastCall(PyObject *, PyObject *const *, Py_ssize_t);
PyObject *_PyObject_Vectorcall(PyObject *, PyObject *const *, size_t, PyObject *);
PyObject *_PyObject_CallMethodIdObjArgs(PyObject *, void *, ...);
PyObject *PyObject_GetItemData(PyObject *);
PyCodeObject *PyFrame_GetCode(PyFrameObject *);
PyFrameObject *PyFrame_GetBack(PyFrameObject *);
int PyFrame_GetLineNumber(PyFrameObject *);
PyThreadState *PyThreadState_Get(void);
PyThreadState *PyThreadState_GET(void);
PyInterpreterState *PyThreadState_GetInterpreter(PyThreadState *);
PyFrameObject *PyThreadState_GetFrame(PyThreadState *);
PyInterpreterState *PyInterpreterState_Get(void);
PyObject *PyThreadState_GetDict(void);
PyObject *PyEval_GetGlobals(void);
PyObject *PyEval_GetLocals(void);
PyFrameObject *PyEval_GetFrame(void);
int PyGC_Enable(void);
int PyGC_Disable(void);
int PyGC_IsEnabled(void);
Py_ssize_t PyGC_Collect(void);
void _Py_Dealloc(PyObject *);
#define Py_TRASHCAN_BEGIN(op, dealloc) {
#define Py_TRASHCAN_END }
#define Py_TRASHCAN_SAFE_BEGIN(op) {
#define Py_TRASHCAN_SAFE_END(op) }
typedef int64_t _PyTime_t;
typedef int64_t PyTime_t;
#define _PyTime_MIN INT64_MIN
#define _PyTime_MAX INT64_MAX
int PyTime_Monotonic(PyTime_t *);
int PyTime_Time(PyTime_t *);
double PyTime_AsSecondsDouble(PyTime_t);
typedef struct PyConfig PyConfig;
typedef struct { Py_ssize_t length; wchar_t **items; } PyWideStringList;
typedef struct PyPreConfig PyPreConfig;
const PyConfig *_Py_GetConfig(void);
typedef struct PyStatus { int _type; const char *func; const char *err_msg; int exitcode; } PyStatus;
typedef struct _PyArg_Parser _PyArg_Parser;
typedef struct _Py_Identifier { const char *string; Py_ssize_t index; } _Py_Identifier;
#define _Py_IDENTIFIER(name) static _Py_Identifier PyId_##name = { #name, -1 }
#define _Py_static_string(name, value) static _Py_Identifier name = { value, -1 }
typedef struct PyCodeAddressRange PyCodeAddressRange;
typedef struct _PyInterpreterFrame _PyInterpreterFrame;
typedef int PyLockStatus;
typedef struct PyMutex { unsigned char _bits; } PyMutex;
void PyMutex_Lock(PyMutex *);
void PyMutex_Unlock(PyMutex *);
typedef struct PyUnicodeWriter PyUnicodeWriter;
typedef struct { void *buffer; Py_ssize_t size; Py_UCS4 maxchar; int kind; } _PyUnicodeWriter;
typedef struct PyBytesWriter PyBytesWriter;
typedef struct PyLongWriter PyLongWriter;
typedef struct PyLongExport { int64_t value; uint8_t negative; Py_ssize_t ndigits; const void *digits; uintptr_t _reserved; } PyLongExport;
typedef struct PyLongLayout { uint8_t bits_per_digit; uint8_t digit_size; int8_t digits_order; int8_t digit_endianness; } PyLongLayout;
typedef struct PyRefTracer PyRefTracer;
typedef enum { PyRefTracer_CREATE = 0, PyRefTracer_DESTROY = 1 } PyRefTracerEvent;

#define PyObject_TypeCheck(ob, tp) (Py_IS_TYPE(ob, tp) || PyType_IsSubtype(Py_TYPE(ob), (tp)))
#define PyType_HasFeature(t, f) ((PyType_GetFlags(t) & (f)) != 0)
#define PyType_FastSubclass(t, f) PyType_HasFeature(t, f)
#define PyLong_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_LONG_SUBCLASS)
#define PyLong_CheckExact(op) Py_IS_TYPE(op, &PyLong_Type)
#define PyBool_Check(x) Py_IS_TYPE(x, &PyBool_Type)
#define PyFloat_Check(op) PyObject_TypeCheck(op, &PyFloat_Type)
#define PyFloat_CheckExact(op) Py_IS_TYPE(op, &PyFloat_Type)
#define PyBytes_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_BYTES_SUBCLASS)
#define PyBytes_CheckExact(op) Py_IS_TYPE(op, &PyBytes_Type)
#define PyByteArray_Check(op) PyObject_TypeCheck(op, &PyByteArray_Type)
#define PyByteArray_CheckExact(op) Py_IS_TYPE(op, &PyByteArray_Type)
#define PyUnicode_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_UNICODE_SUBCLASS)
#define PyUnicode_CheckExact(op) Py_IS_TYPE(op, &PyUnicode_Type)
#define PyTuple_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_TUPLE_SUBCLASS)
#define PyTuple_CheckExact(op) Py_IS_TYPE(op, &PyTuple_Type)
#define PyList_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_LIST_SUBCLASS)
#define PyList_CheckExact(op) Py_IS_TYPE(op, &PyList_Type)
#define PyDict_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_DICT_SUBCLASS)
#define PyDict_CheckExact(op) Py_IS_TYPE(op, &PyDict_Type)
#define PyAnySet_Check(ob) (Py_IS_TYPE(ob, &PySet_Type) || Py_IS_TYPE(ob, &PyFrozenSet_Type))
#define PySet_Check(ob) Py_IS_TYPE(ob, &PySet_Type)
#define PyFrozenSet_Check(ob) Py_IS_TYPE(ob, &PyFrozenSet_Type)
#define PyType_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_TYPE_SUBCLASS)
#define PyMemoryView_Check(op) Py_IS_TYPE(op, &PyMemoryView_Type)
#define PyCallable_Check(o) PyCallable_Check(o)
#define PySlice_Check(op) Py_IS_TYPE(op, &PySlice_Type)

/* objects */
int PyType_IsSubtype(PyTypeObject *, PyTypeObject *);
unsigned long PyType_GetFlags(PyTypeObject *);
int PyType_Ready(PyTypeObject *);
PyObject *PyType_FromSpec(PyType_Spec *);
PyObject *PyType_FromSpecWithBases(PyType_Spec *, PyObject *);
PyObject *PyType_FromModuleAndSpec(PyObject *, PyType_Spec *, PyObject *);
void *PyType_GetSlot(PyTypeObject *, int);
PyObject *PyType_GenericAlloc(PyTypeObject *, Py_ssize_t);
PyObject *PyType_GenericNew(PyTypeObject *, PyObject *, PyObject *);
PyObject *PyType_GetModule(PyTypeObject *);
void *PyType_GetModuleState(PyTypeObject *);
PyObject *PyObject_Repr(PyObject *);
PyObject *PyObject_Str(PyObject *);
PyObject *PyObject_ASCII(PyObject *);
PyObject *PyObject_Bytes(PyObject *);
PyObject *PyObject_RichCompare(PyObject *, PyObject *, int);
int PyObject_RichCompareBool(PyObject *, PyObject *, int);
PyObject *PyObject_GetAttr(PyObject *, PyObject *);
PyObject *PyObject_GetAttrString(PyObject *, const char *);
int PyObject_SetAttr(PyObject *, PyObject *, PyObject *);
int PyObject_SetAttrString(PyObject *, const char *, PyObject *);
int PyObject_HasAttr(PyObject *, PyObject *);
int PyObject_HasAttrString(PyObject *, const char *);
int PyObject_DelAttrString(PyObject *, const char *);
PyObject *PyObject_GenericGetAttr(PyObject *, PyObject *);
int PyObject_GenericSetAttr(PyObject *, PyObject *, PyObject *);
Py_hash_t PyObject_Hash(PyObject *);
Py_hash_t PyObject_HashNotImplemented(PyObject *);
int PyObject_IsTrue(PyObject *);
int PyObject_Not(PyObject *);
int PyCallable_Check(PyObject *);
PyObject *PyObject_Call(PyObject *, PyObject *, PyObject *);
PyObject *PyObject_CallObject(PyObject *, PyObject *);
PyObject *PyObject_CallFunction(PyObject *, const char *, ...);
PyObject *PyObject_CallMethod(PyObject *, const char *, const char *, ...);
PyObject *PyObject_CallFunctionObjArgs(PyObject *, ...);
PyObject *PyObject_CallMethodObjArgs(PyObject *, PyObject *, ...);
PyObject *PyObject_CallNoArgs(PyObject *);
PyObject *PyObject_CallOneArg(PyObject *, PyObject *);
PyObject *PyObject_CallMethodNoArgs(PyObject *, PyObject *);
PyObject *PyObject_CallMethodOneArg(PyObject *, PyObject *, PyObject *);
PyObject *PyObject_Vectorcall(PyObject *, PyObject *const *, size_t, PyObject *);
PyObject *PyObject_VectorcallMethod(PyObject *, PyObject *const *, size_t, PyObject *);
Py_ssize_t PyVectorcall_NARGS(size_t);
#define PY_VECTORCALL_ARGUMENTS_OFFSET ((size_t)1 << (8 * sizeof(size_t) - 1))
PyObject *PyObject_Type(PyObject *);
Py_ssize_t PyObject_Size(PyObject *);
Py_ssize_t PyObject_Length(PyObject *);
Py_ssize_t PyObject_LengthHint(PyObject *, Py_ssize_t);
PyObject *PyObject_GetItem(PyObject *, PyObject *);
int PyObject_SetItem(PyObject *, PyObject *, PyObject *);
int PyObject_DelItem(PyObject *, PyObject *);
PyObject *PyObject_GetIter(PyObject *);
PyObject *PyIter_Next(PyObject *);
int PyIter_Check(PyObject *);
int PyObject_IsInstance(PyObject *, PyObject *);
int PyObject_IsSubclass(PyObject *, PyObject *);
PyObject *PyObject_Format(PyObject *, PyObject *);
PyObject *PyObject_Dir(PyObject *);
PyObject *PyObject_SelfIter(PyObject *);
int PyObject_Print(PyObject *, FILE *, int);
int PyObject_GetBuffer(PyObject *, Py_buffer *, int);
void PyBuffer_Release(Py_buffer *);
int PyObject_CheckBuffer(PyObject *);
int PyBuffer_IsContiguous(const Py_buffer *, char);
int PyBuffer_FillInfo(Py_buffer *, PyObject *, void *, Py_ssize_t, int, int);
int PyObject_AsReadBuffer(PyObject *, const void **, Py_ssize_t *);
int PyObject_AsWriteBuffer(PyObject *, void **, Py_ssize_t *);
int PyObject_AsCharBuffer(PyObject *, const char **, Py_ssize_t *);
PyObject *PyObject_Init(PyObject *, PyTypeObject *);
PyVarObject *PyObject_InitVar(PyVarObject *, PyTypeObject *, Py_ssize_t);
PyObject *_PyObject_New(PyTypeObject *);
PyVarObject *_PyObject_NewVar(PyTypeObject *, Py_ssize_t);
PyObject *_PyObject_GC_New(PyTypeObject *);
PyVarObject *_PyObject_GC_NewVar(PyTypeObject *, Py_ssize_t);
#define PyObject_New(type, typeobj) ((type *)_PyObject_New(typeobj))
#define PyObject_NewVar(type, typeobj, n) ((type *)_PyObject_NewVar((typeobj), (n)))
#define PyObject_GC_New(type, typeobj) ((type *)_PyObject_GC_New(typeobj))
#define PyObject_NEW(type, typeobj) PyObject_New(type, typeobj)
#define PyObject_NEW_VAR(type, typeobj, n) PyObject_NewVar(type, typeobj, n)
#define PyObject_GC_NEW(type, typeobj) PyObject_GC_New(type, typeobj)
#define PyObject_GC_NewVar(type, typeobj, n) ((type *)_PyObject_GC_NewVar((typeobj), (n)))
void PyObject_GC_Track(void *);
void PyObject_GC_UnTrack(void *);
void PyObject_GC_Del(void *);
int PyObject_GC_IsTracked(PyObject *);
void *PyObject_Malloc(size_t);
void *PyObject_Calloc(size_t, size_t);
void *PyObject_Realloc(void *, size_t);
void PyObject_Free(void *);
#define PyObject_Del PyObject_Free
#define PyObject_DEL PyObject_Free
#define PyObject_MALLOC PyObject_Malloc
#define PyObject_FREE PyObject_Free
void *PyMem_Malloc(size_t);
void *PyMem_Calloc(size_t, size_t);
void *PyMem_Realloc(void *, size_t);
void PyMem_Free(void *);
void *PyMem_RawMalloc(size_t);
void *PyMem_RawCalloc(size_t, size_t);
void *PyMem_RawRealloc(void *, size_t);
void PyMem_RawFree(void *);
#define PyMem_MALLOC PyMem_Malloc
#define PyMem_REALLOC PyMem_Realloc
#define PyMem_FREE PyMem_Free
#define PyMem_Del PyMem_Free
#define PyMem_DEL PyMem_Free
#define PyMem_New(type, n) ((type *)PyMem_Malloc((n) * sizeof(type)))
#define PyMem_NEW(type, n) PyMem_New(type, n)
#define PyMem_Resize(p, type, n) ((p) = (type *)PyMem_Realloc((p), (n) * sizeof(type)))
#define PyMem_RESIZE(p, type, n) PyMem_Resize(p, type, n)

/* arguments and values */
int PyArg_ParseTuple(PyObject *, const char *, ...);
int PyArg_ParseTupleAndKeywords(PyObject *, PyObject *, const char *, char **, ...);
int PyArg_VaParse(PyObject *, const char *, va_list);
int PyArg_UnpackTuple(PyObject *, const char *, Py_ssize_t, Py_ssize_t, ...);
int PyArg_Parse(PyObject *, const char *, ...);
int PyArg_ValidateKeywordArguments(PyObject *);
int _PyArg_NoKeywords(const char *, PyObject *);
int _PyArg_NoPositional(const char *, PyObject *);
PyObject *Py_BuildValue(const char *, ...);
PyObject *_Py_BuildValue_SizeT(const char *, ...);
PyObject *Py_VaBuildValue(const char *, va_list);

/* numbers */
PyObject *PyLong_FromLong(long);
PyObject *PyLong_FromUnsignedLong(unsigned long);
PyObject *PyLong_FromLongLong(long long);
PyObject *PyLong_FromUnsignedLongLong(unsigned long long);
PyObject *PyLong_FromSsize_t(Py_ssize_t);
PyObject *PyLong_FromSize_t(size_t);
PyObject *PyLong_FromDouble(double);
PyObject *PyLong_FromString(const char *, char **, int);
PyObject *PyLong_FromVoidPtr(void *);
PyObject *PyLong_FromUnicodeObject(PyObject *, int);
PyObject *_PyLong_FromByteArray(const unsigned char *, size_t, int, int);
int _PyLong_AsByteArray(PyObject *, unsigned char *, size_t, int, int);
size_t _PyLong_NumBits(PyObject *);
int _PyLong_Sign(PyObject *);
long PyLong_AsLong(PyObject *);
long PyLong_AsLongAndOverflow(PyObject *, int *);
long long PyLong_AsLongLong(PyObject *);
long long PyLong_AsLongLongAndOverflow(PyObject *, int *);
unsigned long PyLong_AsUnsignedLong(PyObject *);
unsigned long long PyLong_AsUnsignedLongLong(PyObject *);
unsigned long PyLong_AsUnsignedLongMask(PyObject *);
unsigned long long PyLong_AsUnsignedLongLongMask(PyObject *);
Py_ssize_t PyLong_AsSsize_t(PyObject *);
size_t PyLong_AsSize_t(PyObject *);
double PyLong_AsDouble(PyObject *);
void *PyLong_AsVoidPtr(PyObject *);
int PyLong_AsInt(PyObject *);
PyObject *PyBool_FromLong(long);
PyObject *PyFloat_FromDouble(double);
PyObject *PyFloat_FromString(PyObject *);
double PyFloat_AsDouble(PyObject *);
double PyFloat_GetMax(void);
double PyFloat_GetMin(void);
#define PyFloat_AS_DOUBLE(op) PyFloat_AsDouble(op)
PyObject *PyComplex_FromDoubles(double, double);
PyObject *PyNumber_Add(PyObject *, PyObject *);
PyObject *PyNumber_Subtract(PyObject *, PyObject *);
PyObject *PyNumber_Multiply(PyObject *, PyObject *);
PyObject *PyNumber_TrueDivide(PyObject *, PyObject *);
PyObject *PyNumber_FloorDivide(PyObject *, PyObject *);
PyObject *PyNumber_Remainder(PyObject *, PyObject *);
PyObject *PyNumber_Negative(PyObject *);
PyObject *PyNumber_Invert(PyObject *);
PyObject *PyNumber_Lshift(PyObject *, PyObject *);
PyObject *PyNumber_Rshift(PyObject *, PyObject *);
PyObject *PyNumber_And(PyObject *, PyObject *);
PyObject *PyNumber_Or(PyObject *, PyObject *);
PyObject *PyNumber_Xor(PyObject *, PyObject *);
PyObject *PyNumber_Index(PyObject *);
PyObject *PyNumber_Long(PyObject *);
PyObject *PyNumber_Float(PyObject *);
Py_ssize_t PyNumber_AsSsize_t(PyObject *, PyObject *);
int PyNumber_Check(PyObject *);
int PyIndex_Check(PyObject *);

/* bytes, bytearray, strings */
PyObject *PyBytes_FromStringAndSize(const char *, Py_ssize_t);
PyObject *PyBytes_FromString(const char *);
PyObject *PyBytes_FromFormat(const char *, ...);
PyObject *PyBytes_FromObject(PyObject *);
char *PyBytes_AsString(PyObject *);
int PyBytes_AsStringAndSize(PyObject *, char **, Py_ssize_t *);
Py_ssize_t PyBytes_Size(PyObject *);
void PyBytes_Concat(PyObject **, PyObject *);
void PyBytes_ConcatAndDel(PyObject **, PyObject *);
int _PyBytes_Resize(PyObject **, Py_ssize_t);
PyObject *_PyBytes_Join(PyObject *, PyObject *);
#define PyBytes_AS_STRING(op) PyBytes_AsString(op)
#define PyBytes_GET_SIZE(op) PyBytes_Size(op)
PyObject *PyByteArray_FromStringAndSize(const char *, Py_ssize_t);
PyObject *PyByteArray_FromObject(PyObject *);
char *PyByteArray_AsString(PyObject *);
Py_ssize_t PyByteArray_Size(PyObject *);
int PyByteArray_Resize(PyObject *, Py_ssize_t);
#define PyByteArray_AS_STRING(op) PyByteArray_AsString(op)
#define PyByteArray_GET_SIZE(op) PyByteArray_Size(op)
PyObject *PyUnicode_FromString(const char *);
PyObject *PyUnicode_FromStringAndSize(const char *, Py_ssize_t);
PyObject *PyUnicode_FromFormat(const char *, ...);
PyObject *PyUnicode_FromFormatV(const char *, va_list);
PyObject *PyUnicode_FromKindAndData(int, const void *, Py_ssize_t);
PyObject *PyUnicode_FromOrdinal(int);
PyObject *PyUnicode_FromObject(PyObject *);
PyObject *PyUnicode_FromEncodedObject(PyObject *, const char *, const char *);
PyObject *PyUnicode_FromWideChar(const wchar_t *, Py_ssize_t);
PyObject *PyUnicode_FromUnicode(const Py_UNICODE *, Py_ssize_t);
PyObject *PyUnicode_New(Py_ssize_t, Py_UCS4);
PyObject *PyUnicode_Decode(const char *, Py_ssize_t, const char *, const char *);
PyObject *PyUnicode_DecodeUTF8(const char *, Py_ssize_t, const char *);
PyObject *PyUnicode_DecodeLatin1(const char *, Py_ssize_t, const char *);
PyObject *PyUnicode_DecodeASCII(const char *, Py_ssize_t, const char *);
PyObject *PyUnicode_AsEncodedString(PyObject *, const char *, const char *);
PyObject *PyUnicode_AsUTF8String(PyObject *);
PyObject *PyUnicode_AsASCIIString(PyObject *);
PyObject *PyUnicode_AsLatin1String(PyObject *);
PyObject *PyUnicode_EncodeUTF8(const Py_UNICODE *, Py_ssize_t, const char *);
const char *PyUnicode_AsUTF8(PyObject *);
const char *PyUnicode_AsUTF8AndSize(PyObject *, Py_ssize_t *);
Py_UCS4 *PyUnicode_AsUCS4(PyObject *, Py_UCS4 *, Py_ssize_t, int);
Py_UNICODE *PyUnicode_AsUnicode(PyObject *);
Py_ssize_t PyUnicode_AsWideChar(PyObject *, wchar_t *, Py_ssize_t);
wchar_t *PyUnicode_AsWideCharString(PyObject *, Py_ssize_t *);
Py_ssize_t PyUnicode_GetLength(PyObject *);
Py_ssize_t PyUnicode_GetSize(PyObject *);
Py_UCS4 PyUnicode_ReadChar(PyObject *, Py_ssize_t);
int PyUnicode_WriteChar(PyObject *, Py_ssize_t, Py_UCS4);
int PyUnicode_Ready(PyObject *);
int PyUnicode_KIND(PyObject *);
void *PyUnicode_DATA(PyObject *);
Py_ssize_t PyUnicode_GET_LENGTH(PyObject *);
int PyUnicode_IS_ASCII(PyObject *);
int PyUnicode_IS_COMPACT_ASCII(PyObject *);
Py_UCS4 PyUnicode_MAX_CHAR_VALUE(PyObject *);
Py_ssize_t PyUnicode_GET_SIZE(PyObject *);
Py_ssize_t PyUnicode_GET_DATA_SIZE(PyObject *);
Py_UNICODE *PyUnicode_AS_UNICODE(PyObject *);
const char *PyUnicode_AS_DATA(PyObject *);
#define PyUnicode_READY(op) PyUnicode_Ready(op)
#define PyUnicode_1BYTE_KIND 1
#define PyUnicode_2BYTE_KIND 2
#define PyUnicode_4BYTE_KIND 4
#define PyUnicode_WCHAR_KIND 0
#define PyUnicode_1BYTE_DATA(op) ((Py_UCS1 *)PyUnicode_DATA(op))
#define PyUnicode_2BYTE_DATA(op) ((Py_UCS2 *)PyUnicode_DATA(op))
#define PyUnicode_4BYTE_DATA(op) ((Py_UCS4 *)PyUnicode_DATA(op))
#define PyUnicode_READ(kind, data, index) ((Py_UCS4)((kind) == PyUnicode_1BYTE_KIND ? ((const Py_UCS1 *)(data))[(index)] : ((kind) == PyUnicode_2BYTE_KIND ? ((const Py_UCS2 *)(data))[(index)] : ((const Py_UCS4 *)(data))[(index)])))
#define PyUnicode_READ_CHAR(unicode, index) PyUnicode_ReadChar(unicode, index)
#define PyUnicode_WRITE(kind, data, index, value) PyUnicode_WriteChar_raw(kind, data, index, value)
void PyUnicode_WriteChar_raw(int, void *, Py_ssize_t, Py_UCS4);
PyObject *PyUnicode_Concat(PyObject *, PyObject *);
void PyUnicode_Append(PyObject **, PyObject *);
void PyUnicode_AppendAndDel(PyObject **, PyObject *);
PyObject *PyUnicode_Join(PyObject *, PyObject *);
PyObject *PyUnicode_Split(PyObject *, PyObject *, Py_ssize_t);
PyObject *PyUnicode_Substring(PyObject *, Py_ssize_t, Py_ssize_t);
PyObject *PyUnicode_Format(PyObject *, PyObject *);
int PyUnicode_Compare(PyObject *, PyObject *);
int PyUnicode_CompareWithASCIIString(PyObject *, const char *);
Py_ssize_t PyUnicode_Find(PyObject *, PyObject *, Py_ssize_t, Py_ssize_t, int);
Py_ssize_t PyUnicode_FindChar(PyObject *, Py_UCS4, Py_ssize_t, Py_ssize_t, int);
PyObject *PyUnicode_InternFromString(const char *);
void PyUnicode_InternInPlace(PyObject **);
int Py_UNICODE_ISSPACE(Py_UCS4);
int Py_UNICODE_ISALPHA(Py_UCS4);
int Py_UNICODE_ISDIGIT(Py_UCS4);
int Py_UNICODE_ISALNUM(Py_UCS4);
Py_UCS4 Py_UNICODE_TOLOWER(Py_UCS4);
Py_UCS4 Py_UNICODE_TOUPPER(Py_UCS4);
#define Py_UNICODE_IS_SURROGATE(ch) (0xD800 <= (ch) && (ch) <= 0xDFFF)
#define Py_UNICODE_IS_HIGH_SURROGATE(ch) (0xD800 <= (ch) && (ch) <= 0xDBFF)
#define Py_UNICODE_IS_LOW_SURROGATE(ch) (0xDC00 <= (ch) && (ch) <= 0xDFFF)
#define Py_UNICODE_JOIN_SURROGATES(high, low) (((((Py_UCS4)(high) & 0x03FF) << 10) | ((Py_UCS4)(low) & 0x03FF)) + 0x10000)
#define Py_UNICODE_HIGH_SURROGATE(ch) (0xD800 - (0x10000 >> 10) + ((ch) >> 10))
#define Py_UNICODE_LOW_SURROGATE(ch) (0xDC00 + ((ch) & 0x3FF))
PyObject *PyUnicode_DecodeFSDefault(const char *);
int PyUnicode_FSConverter(PyObject *, void *);

/* containers */
PyObject *PyTuple_New(Py_ssize_t);
Py_ssize_t PyTuple_Size(PyObject *);
PyObject *PyTuple_GetItem(PyObject *, Py_ssize_t);
int PyTuple_SetItem(PyObject *, Py_ssize_t, PyObject *);
PyObject *PyTuple_GetSlice(PyObject *, Py_ssize_t, Py_ssize_t);
PyObject *PyTuple_Pack(Py_ssize_t, ...);
int _PyTuple_Resize(PyObject **, Py_ssize_t);
#define PyTuple_GET_SIZE(op) PyTuple_Size(op)
#define PyTuple_GET_ITEM(op, i) PyTuple_GetItem(op, i)
#define PyTuple_SET_ITEM(op, i, v) PyTuple_SetItem(op, i, v)
PyObject *PyList_New(Py_ssize_t);
Py_ssize_t PyList_Size(PyObject *);
PyObject *PyList_GetItem(PyObject *, Py_ssize_t);
int PyList_SetItem(PyObject *, Py_ssize_t, PyObject *);
int PyList_Insert(PyObject *, Py_ssize_t, PyObject *);
int PyList_Append(PyObject *, PyObject *);
PyObject *PyList_GetSlice(PyObject *, Py_ssize_t, Py_ssize_t);
int PyList_SetSlice(PyObject *, Py_ssize_t, Py_ssize_t, PyObject *);
int PyList_Sort(PyObject *);
int PyList_Reverse(PyObject *);
PyObject *PyList_AsTuple(PyObject *);
#define PyList_GET_SIZE(op) PyList_Size(op)
#define PyList_GET_ITEM(op, i) PyList_GetItem(op, i)
#define PyList_SET_ITEM(op, i, v) PyList_SetItem(op, i, v)
PyObject *PyDict_New(void);
PyObject *PyDict_GetItem(PyObject *, PyObject *);
PyObject *PyDict_GetItemWithError(PyObject *, PyObject *);
PyObject *PyDict_GetItemString(PyObject *, const char *);
int PyDict_SetItem(PyObject *, PyObject *, PyObject *);
int PyDict_SetItemString(PyObject *, const char *, PyObject *);
int PyDict_DelItem(PyObject *, PyObject *);
int PyDict_DelItemString(PyObject *, const char *);
int PyDict_Contains(PyObject *, PyObject *);
int PyDict_Next(PyObject *, Py_ssize_t *, PyObject **, PyObject **);
Py_ssize_t PyDict_Size(PyObject *);
PyObject *PyDict_Keys(PyObject *);
PyObject *PyDict_Values(PyObject *);
PyObject *PyDict_Items(PyObject *);
PyObject *PyDict_Copy(PyObject *);
void PyDict_Clear(PyObject *);
int PyDict_Update(PyObject *, PyObject *);
int PyDict_Merge(PyObject *, PyObject *, int);
PyObject *PyDict_SetDefault(PyObject *, PyObject *, PyObject *);
PyObject *PyDictProxy_New(PyObject *);
#define PyDict_GET_SIZE(op) PyDict_Size(op)
PyObject *PySet_New(PyObject *);
PyObject *PyFrozenSet_New(PyObject *);
int PySet_Add(PyObject *, PyObject *);
int PySet_Contains(PyObject *, PyObject *);
int PySet_Discard(PyObject *, PyObject *);
Py_ssize_t PySet_Size(PyObject *);
PyObject *PySet_Pop(PyObject *);
int PySet_Clear(PyObject *);
#define PySet_GET_SIZE(op) PySet_Size(op)
int PySequence_Check(PyObject *);
Py_ssize_t PySequence_Size(PyObject *);
Py_ssize_t PySequence_Length(PyObject *);
PyObject *PySequence_GetItem(PyObject *, Py_ssize_t);
PyObject *PySequence_GetSlice(PyObject *, Py_ssize_t, Py_ssize_t);
int PySequence_SetItem(PyObject *, Py_ssize_t, PyObject *);
int PySequence_Contains(PyObject *, PyObject *);
Py_ssize_t PySequence_Index(PyObject *, PyObject *);
PyObject *PySequence_Tuple(PyObject *);
PyObject *PySequence_List(PyObject *);
PyObject *PySequence_Fast(PyObject *, const char *);
PyObject *PySequence_Concat(PyObject *, PyObject *);
#define PySequence_Fast_GET_SIZE(o) PySequence_Size(o)
#define PySequence_Fast_GET_ITEM(o, i) PySequence_GetItem(o, i)
#define PySequence_Fast_ITEMS(o) ((PyObject **)PySequence_Fast_Items_raw(o))
void *PySequence_Fast_Items_raw(PyObject *);
#define PySequence_ITEM(o, i) PySequence_GetItem(o, i)
int PyMapping_Check(PyObject *);
Py_ssize_t PyMapping_Size(PyObject *);
PyObject *PyMapping_Keys(PyObject *);
PyObject *PyMapping_Items(PyObject *);
PyObject *PyMapping_Values(PyObject *);
PyObject *PyMapping_GetItemString(PyObject *, const char *);
int PyMapping_HasKey(PyObject *, PyObject *);
int PySlice_GetIndicesEx(PyObject *, Py_ssize_t, Py_ssize_t *, Py_ssize_t *, Py_ssize_t *, Py_ssize_t *);
int PySlice_Unpack(PyObject *, Py_ssize_t *, Py_ssize_t *, Py_ssize_t *);
Py_ssize_t PySlice_AdjustIndices(Py_ssize_t, Py_ssize_t *, Py_ssize_t *, Py_ssize_t);
PyObject *PySlice_New(PyObject *, PyObject *, PyObject *);
PyObject *PyMemoryView_FromObject(PyObject *);
PyObject *PyMemoryView_FromMemory(char *, Py_ssize_t, int);
PyObject *PyMemoryView_FromBuffer(const Py_buffer *);
Py_buffer *PyMemoryView_GET_BUFFER(PyObject *);

/* capsules, modules, errors, threads */
typedef void (*PyCapsule_Destructor)(PyObject *);
PyObject *PyCapsule_New(void *, const char *, PyCapsule_Destructor);
void *PyCapsule_GetPointer(PyObject *, const char *);
void *PyCapsule_Import(const char *, int);
int PyCapsule_IsValid(PyObject *, const char *);
#define PyCapsule_CheckExact(op) Py_IS_TYPE(op, &PyCapsule_Type)
PyObject *PyModule_Create2(PyModuleDef *, int);
#define PyModule_Create(module) PyModule_Create2(module, 1013)
PyObject *PyModuleDef_Init(PyModuleDef *);
PyObject *PyModule_New(const char *);
PyObject *PyModule_GetDict(PyObject *);
void *PyModule_GetState(PyObject *);
PyModuleDef *PyModule_GetDef(PyObject *);
const char *PyModule_GetName(PyObject *);
int PyModule_AddObject(PyObject *, const char *, PyObject *);
int PyModule_AddObjectRef(PyObject *, const char *, PyObject *);
int PyModule_AddIntConstant(PyObject *, const char *, long);
int PyModule_AddStringConstant(PyObject *, const char *, const char *);
int PyModule_AddType(PyObject *, PyTypeObject *);
int PyModule_AddFunctions(PyObject *, PyMethodDef *);
#define PyModule_AddIntMacro(m, c) PyModule_AddIntConstant(m, #c, c)
#define PyModule_AddStringMacro(m, c) PyModule_AddStringConstant(m, #c, c)
PyObject *Py_InitModule4(const char *, PyMethodDef *, const char *, PyObject *, int);
#define Py_InitModule(name, methods) Py_InitModule4(name, methods, 0, 0, 1013)
#define Py_InitModule3(name, methods, doc) Py_InitModule4(name, methods, doc, 0, 1013)
PyObject *PyImport_ImportModule(const char *);
PyObject *PyImport_Import(PyObject *);
PyObject *PyImport_ImportModuleLevel(const char *, PyObject *, PyObject *, PyObject *, int);
PyObject *PyState_FindModule(PyModuleDef *);
PyObject *PyEval_GetBuiltins(void);
PyObject *PyCFunction_New(PyMethodDef *, PyObject *);
PyObject *PyCFunction_NewEx(PyMethodDef *, PyObject *, PyObject *);
PyObject *PyDescr_NewMethod(PyTypeObject *, PyMethodDef *);
PyObject *PyDescr_NewClassMethod(PyTypeObject *, PyMethodDef *);
PyObject *PyInstanceMethod_New(PyObject *);
PyObject *PyMethod_New(PyObject *, PyObject *);
PyObject *PyWeakref_NewRef(PyObject *, PyObject *);
PyObject *PyWeakref_GetObject(PyObject *);
void PyObject_ClearWeakRefs(PyObject *);
void PyErr_SetString(PyObject *, const char *);
void PyErr_SetObject(PyObject *, PyObject *);
void PyErr_SetNone(PyObject *);
PyObject *PyErr_Format(PyObject *, const char *, ...);
PyObject *PyErr_FormatV(PyObject *, const char *, va_list);
PyObject *PyErr_NoMemory(void);
PyObject *PyErr_SetFromErrno(PyObject *);
PyObject *PyErr_SetFromErrnoWithFilename(PyObject *, const char *);
PyObject *PyErr_SetFromErrnoWithFilenameObject(PyObject *, PyObject *);
PyObject *PyErr_Occurred(void);
int PyErr_ExceptionMatches(PyObject *);
int PyErr_GivenExceptionMatches(PyObject *, PyObject *);
void PyErr_Clear(void);
void PyErr_Fetch(PyObject **, PyObject **, PyObject **);
void PyErr_Restore(PyObject *, PyObject *, PyObject *);
void PyErr_NormalizeException(PyObject **, PyObject **, PyObject **);
PyObject *PyErr_GetRaisedException(void);
void PyErr_SetRaisedException(PyObject *);
void PyErr_Print(void);
void PyErr_WriteUnraisable(PyObject *);
int PyErr_BadArgument(void);
void PyErr_BadInternalCall(void);
int PyErr_CheckSignals(void);
int PyErr_WarnEx(PyObject *, const char *, Py_ssize_t);
int PyErr_WarnFormat(PyObject *, Py_ssize_t, const char *, ...);
PyObject *PyErr_NewException(const char *, PyObject *, PyObject *);
PyObject *PyErr_NewExceptionWithDoc(const char *, const char *, PyObject *, PyObject *);
PyObject *PyUnicodeDecodeError_Create(const char *, const char *, Py_ssize_t, Py_ssize_t, Py_ssize_t, const char *);
int PyOS_snprintf(char *, size_t, const char *, ...);
double PyOS_string_to_double(const char *, char **, PyObject *);
char *PyOS_double_to_string(double, char, int, int, int *);
long PyOS_strtol(const char *, char **, int);
unsigned long PyOS_strtoul(const char *, char **, int);
int PyOS_stricmp(const char *, const char *);
int PyOS_mystrnicmp(const char *, const char *, Py_ssize_t);
typedef int PyGILState_STATE;
typedef void *PyThread_type_lock;
PyThreadState *PyEval_SaveThread(void);
void PyEval_RestoreThread(PyThreadState *);
PyGILState_STATE PyGILState_Ensure(void);
void PyGILState_Release(PyGILState_STATE);
void PyEval_InitThreads(void);
PyThread_type_lock PyThread_allocate_lock(void);
void PyThread_free_lock(PyThread_type_lock);
int PyThread_acquire_lock(PyThread_type_lock, int);
void PyThread_release_lock(PyThread_type_lock);
#define WAIT_LOCK 1
#define NOWAIT_LOCK 0
#define Py_BEGIN_ALLOW_THREADS { PyThreadState *_save = PyEval_SaveThread();
#define Py_END_ALLOW_THREADS PyEval_RestoreThread(_save); }
#define Py_BLOCK_THREADS PyEval_RestoreThread(_save);
#define Py_UNBLOCK_THREADS _save = PyEval_SaveThread();
int Py_EnterRecursiveCall(const char *);
void Py_LeaveRecursiveCall(void);
int Py_ReprEnter(PyObject *);
void Py_ReprLeave(PyObject *);
Py_hash_t _Py_HashBytes(const void *, Py_ssize_t);
Py_hash_t _Py_HashDouble(PyObject *, double);
Py_hash_t _Py_HashPointer(const void *);
int Py_IsInitialized(void);
PyObject *PySys_GetObject(const char *);
void PySys_WriteStderr(const char *, ...);
int PyTraceBack_Here(void *);
PyObject *PyEval_CallObject(PyObject *, PyObject *);
#define PyInt_FromLong PyLong_FromLong
#define PyInt_AsLong PyLong_AsLong
#define PyInt_Check PyLong_Check
#define PyString_FromString PyUnicode_FromString
#endif
