/* veriline fake <string.h>. */
#ifndef VERILINE_STRING_H
#define VERILINE_STRING_H
#include <stddef.h>
void *memcpy(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
#endif
