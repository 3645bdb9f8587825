/* veriline fake <math.h> (used when the system's cannot be read). */
#ifndef VERILINE_MATH_H
#define VERILINE_MATH_H
#define HUGE_VAL (1e999)
#define HUGE_VALF (1e999f)
#define INFINITY (1e999f)
#define NAN (0.0f / 0.0f)
#define M_PI 3.14159265358979323846
#define M_E 2.7182818284590452354
#define M_LN2 0.69314718055994530942
#define M_SQRT2 1.41421356237309504880
#define FP_NAN 0
#define FP_INFINITE 1
#define FP_ZERO 2
#define FP_SUBNORMAL 3
#define FP_NORMAL 4
typedef float float_t;
typedef double double_t;
int __veriline_isnan(double);
int __veriline_isinf(double);
int __veriline_isfinite(double);
int __veriline_signbit(double);
int __veriline_fpclassify(double);
#define isnan(x) __veriline_isnan(x)
#define isinf(x) __veriline_isinf(x)
#define isfinite(x) __veriline_isfinite(x)
#define signbit(x) __veriline_signbit(x)
#define fpclassify(x) __veriline_fpclassify(x)
double fabs(double); float fabsf(float);
double floor(double); float floorf(float);
double ceil(double); float ceilf(float);
double round(double); double trunc(double); long lround(double); long long llround(double);
double rint(double); long lrint(double); double nearbyint(double);
double sqrt(double); float sqrtf(float); double cbrt(double); double hypot(double, double);
double pow(double, double); float powf(float, float);
double exp(double); double exp2(double); double expm1(double);
double log(double); double log2(double); double log10(double); double log1p(double);
double sin(double); double cos(double); double tan(double);
double asin(double); double acos(double); double atan(double); double atan2(double, double);
double sinh(double); double cosh(double); double tanh(double);
double fmod(double, double); double remainder(double, double);
double modf(double, double *); double frexp(double, int *); double ldexp(double, int);
double copysign(double, double); double nextafter(double, double);
double fmin(double, double); double fmax(double, double); double fma(double, double, double);
double erf(double); double erfc(double); double lgamma(double); double tgamma(double);
#endif
