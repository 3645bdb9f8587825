/* veriline fake <stdlib.h>: only what verification examples use. */
#ifndef VERILINE_STDLIB_H
#define VERILINE_STDLIB_H
#include <stddef.h>
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 2147483647
void abort(void);
void exit(int);
void _Exit(int);
int abs(int);
long labs(long);
long long llabs(long long);
int rand(void);
void srand(unsigned int);
int atoi(const char *);
long atol(const char *);
long strtol(const char *, char **, int);
unsigned long strtoul(const char *, char **, int);
void *malloc(size_t);
void *calloc(size_t, size_t);
void *realloc(void *, size_t);
void free(void *);
#endif
