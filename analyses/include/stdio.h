/* veriline fake <stdio.h>: minimal declarations. */
#ifndef VERILINE_STDIO_H
#define VERILINE_STDIO_H
#include <stddef.h>
typedef struct __veriline_FILE FILE;
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
#define EOF (-1)
int printf(const char *, ...);
int fprintf(FILE *, const char *, ...);
int sprintf(char *, const char *, ...);
int snprintf(char *, size_t, const char *, ...);
int scanf(const char *, ...);
int puts(const char *);
int putchar(int);
int getchar(void);
#endif
