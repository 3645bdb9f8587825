/* veriline fake <inttypes.h>. */
#include <stdint.h>
