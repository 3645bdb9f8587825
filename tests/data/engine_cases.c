#include <assert.h>
#include <limits.h>
extern int __VERIFIER_nondet_int(void);
extern void __VERIFIER_assume(int cond);
extern void reach_error(void);

/*@ requires b > 0;
    ensures \result >= 0 && \result < b; */
int mod_pos(int a, int b) {
    int r = a % b;
    if (r < 0) r = r + b;
    return r;
}

int caller_bad(int x) {
    return mod_pos(x, x);
}

int caller_good(int x) {
    if (x <= 0) return 0;
    int m = mod_pos(x, 7);
    assert(m < 7);
    return m;
}

/*@ ensures \result == \old(x) + 1; */
int inc(int x) {
    x = x + 1;
    return x;
}

int ptr(int *p) {
    return *p + 1;
}

int main(void) {
    int x = __VERIFIER_nondet_int();
    __VERIFIER_assume(x > 0 && x < 100);
    if (x == 42) reach_error();
    return 0;
}

unsigned char narrow(unsigned char a, unsigned char b) {
    return a + b;
}

int mutual_a(int n);
int mutual_b(int n) { if (n <= 0) return 0; return mutual_a(n - 1); }
int mutual_a(int n) { if (n <= 0) return 1; return mutual_b(n - 1); }

int forever(int n) { return forever(n); }
