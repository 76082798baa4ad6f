// Kernels of the native training engine. Tensors are dense float32, channels-last (NHWC) as in
// TensorFlow.js; filters are HWIO ([kh, kw, in, out]). All functions run synchronously on the
// caller's thread plus the OpenMP team sized by set_threads().
#pragma once
#include <cstdint>
#include <string>

namespace unbox {

struct ConvGeom {
  int64_t n, h, w, c;        // input (NHWC)
  int64_t oh, ow, oc;        // output
  int64_t kh, kw;            // filter
  int64_t sh, sw, dh, dw;    // strides, dilations (1 = none)
  int64_t pt, pl, pb, pr;    // padding
  int64_t groups;            // 1 = dense; c = depthwise (oc = c * multiplier)
};

void set_threads(int n);
// Mixed precision for convolutions: bf16 operands, f32 accumulation and results (AMX/AVX512-BF16).
void set_bf16(bool on);
bool get_bf16();
int get_threads();
std::string dnnl_info();

// oneDNN
void conv_fwd(const ConvGeom& g, const float* x, const float* w, const float* bias, float* y);
void conv_bwd_data(const ConvGeom& g, const float* dy, const float* w, float* dx);
void conv_bwd_weights(const ConvGeom& g, const float* x, const float* dy, float* dw);
// Row-major batched C[b] = op(A[b]) op(B[b]); strideA/B = 0 broadcasts one matrix.
void matmul(int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* a,
            int64_t strideA, const float* b, int64_t strideB, float* c);
// Pooling over NHWC; kind 0 = max, 1 = avg (padding excluded from the average, as tfjs).
void pool_fwd(const ConvGeom& g, int kind, const float* x, float* y);
void pool_bwd(const ConvGeom& g, int kind, const float* x, const float* dy, float* dx);

// Element-wise. Binary ops broadcast: shapes are already collapsed to `rank` dims, strides in
// elements (0 where broadcast).
enum BinOp { ADD, SUB, MUL, DIV, MAX, MIN, SQDIFF, RELU_GRAD_MASK };
void binary(int op, int rank, const int64_t* shape, const float* a, const int64_t* sa,
            const float* b, const int64_t* sb, float* out);
enum UnOp { RELU, STEP, NEG, SQUARE, SQRT, RSQRT, EXP, LOG, SIGMOID, TANH, ABS, RELU6, RECIP };
void unary(int op, int64_t n, const float* x, float* y, float alpha);
void add_n(int count, const float* const* xs, int64_t n, float* y);
// y = x * scale + shift on a scalar: used for the fused bias/activation path.
void bias_act(int64_t rows, int64_t c, float* y, const float* bias, int act);
// Sum over the middle axis of [outer, red, inner]; mean divides by red; kind 0 sum, 1 mean, 2 max.
void reduce(int kind, int64_t outer, int64_t red, int64_t inner, const float* x, float* y);
// Tile: general rank <= 6.
void tile(int rank, const int64_t* inShape, const int64_t* reps, const float* x, float* y);
void transpose(int rank, const int64_t* inShape, const int64_t* perm, const float* x, float* y);
// The box [begin, begin + size) of x, copied densely into y.
void slice(int rank, const int64_t* inShape, const int64_t* begin, const int64_t* size, const float* x, float* y);
// Concatenation of xs[k] viewed as [outer, inners[k]] along the second axis.
void concat(int count, int64_t outer, const int64_t* inners, const float* const* xs, float* y);

// One Adam update (tfjs' AdamOptimizer arithmetic): c1 = 1 − β1^t, c2 = 1 − β2^t.
void adam(int64_t n, const float* value, const float* grad, const float* m, const float* v,
          float* valueOut, float* mOut, float* vOut, float lr, float b1, float b2, float eps,
          float c1, float c2);

// Batch norm over rows of [rows, c] (channels last): y = (x - mean) * rsqrt(var + eps) * gamma + beta.
void batchnorm_apply(int64_t rows, int64_t c, const float* x, const float* mean, int64_t meanStride,
                     const float* var, int64_t varStride, const float* gamma, int64_t gammaStride,
                     const float* beta, int64_t betaStride, float eps, float* y);
// Training statistics: batch mean and biased variance per channel (two passes).
void batchnorm_stats(int64_t rows, int64_t c, const float* x, float* mean, float* var);
// Backward of y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta with batch statistics.
void batchnorm_bwd(int64_t rows, int64_t c, const float* x, const float* dy, const float* mean,
                   const float* var, const float* gamma, float eps, float* dx, float* dgamma,
                   float* dbeta);

}  // namespace unbox
