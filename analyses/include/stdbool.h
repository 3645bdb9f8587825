/* veriline fake <stdbool.h>: declarations rather than macros keep columns exact. */
#ifndef VERILINE_STDBOOL_H
#define VERILINE_STDBOOL_H
typedef _Bool bool;
enum { false = 0, true = 1 };
#define __bool_true_false_are_defined 1
#endif
