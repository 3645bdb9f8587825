/* veriline fake <stdarg.h>: va_list is opaque, va_arg yields an unknown value. */
#ifndef VERILINE_STDARG_H
#define VERILINE_STDARG_H
typedef struct __veriline_va_list *va_list;
typedef va_list __gnuc_va_list;
void __veriline_va_start(va_list);
void __veriline_va_end(va_list);
#define va_start(ap, last) __veriline_va_start(ap)
#define va_end(ap) __veriline_va_end(ap)
#define va_copy(d, s) ((d) = (s))
#define va_arg(ap, type) (*(type *)__veriline_va_arg(ap))
void *__veriline_va_arg(va_list);
#endif
