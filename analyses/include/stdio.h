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
int fputs(const char *, FILE *);
int fputc(int, FILE *);
int fgetc(FILE *);
char *fgets(char *, int, FILE *);
FILE *fopen(const char *, const char *);
int fclose(FILE *);
int fflush(FILE *);
size_t fread(void *, size_t, size_t, FILE *);
size_t fwrite(const void *, size_t, size_t, FILE *);
int sscanf(const char *, const char *, ...);
int fscanf(FILE *, const char *, ...);
void perror(const char *);
#define BUFSIZ 8192
#endif
