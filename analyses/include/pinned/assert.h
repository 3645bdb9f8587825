/* veriline fake <assert.h>: assert is a declared function the C frontend recognises. */
#ifndef VERILINE_ASSERT_H
#define VERILINE_ASSERT_H
void assert(int);
void __assert_fail(const char *, const char *, unsigned int, const char *);
#endif
