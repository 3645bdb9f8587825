#include <assert.h>
extern int __VERIFIER_nondet_int(void);
void cyc(void) {
    int x = 1;
    while (__VERIFIER_nondet_int()) {
        x = x * 3 % 7;
        assert(x != 0);
    }
}
void cyc_bad(void) {
    int x = 1;
    while (__VERIFIER_nondet_int()) {
        x = x * 3 % 7;
        assert(x != 5);
    }
}
