// Element-wise ops, reductions, batch norm, tile and transpose: memory-bound loops, split over
// the OpenMP team in large contiguous chunks so each thread streams its own part.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ops.h"

namespace unbox {
namespace {
// Below this many elements (1 MiB of floats) one thread streams the data in ~0.1 ms: a parallel
// region then saves little and, on a busy machine, can wait a whole time slice at its barrier.
constexpr int64_t kParMin = 1 << 18;

template <int OP>
inline float bin(float a, float b) {
  if constexpr (OP == ADD) return a + b;
  if constexpr (OP == SUB) return a - b;
  if constexpr (OP == MUL) return a * b;
  if constexpr (OP == DIV) return a / b;
  if constexpr (OP == MAX) return a > b ? a : b;
  if constexpr (OP == MIN) return a < b ? a : b;
  if constexpr (OP == SQDIFF) return (a - b) * (a - b);
  if constexpr (OP == RELU_GRAD_MASK) {  // a · step(b), exactly tfjs' mul(dy, step(x))
    const float s = b > 0.0f ? 1.0f : 0.0f;
    return a * (b != b ? b : s);
  }
  return 0.0f;
}

// One row of the innermost dimension with both strides in {0, 1}: specialised so it vectorises.
template <int OP>
inline void bin_row(int64_t len, const float* a, int64_t sa, const float* b, int64_t sb, float* o) {
  if (sa == 1 && sb == 1) {
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) o[i] = bin<OP>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) o[i] = bin<OP>(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) o[i] = bin<OP>(av, b[i]);
  } else {
    for (int64_t i = 0; i < len; ++i) o[i] = bin<OP>(a[i * sa], b[i * sb]);
  }
}

template <int OP>
void binary_t(int rank, const int64_t* shape, const float* a, const int64_t* sa, const float* b,
              const int64_t* sb, float* out) {
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= shape[d];
  const int64_t total = rows * inner;
  auto run_rows = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, oa = 0, ob = 0;
      for (int d = rank - 2; d >= 0; --d) {
        const int64_t i = rem % shape[d];
        rem /= shape[d];
        oa += i * sa[d];
        ob += i * sb[d];
      }
      bin_row<OP>(inner, a + oa, sa[rank - 1], b + ob, sb[rank - 1], out + r * inner);
    }
  };
  if (rows == 1) {
    // One long row: split it.
    if (total < kParMin) {
      bin_row<OP>(inner, a, sa[0], b, sb[0], out);
      return;
    }
#pragma omp parallel
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t i0 = inner * t / nt, i1 = inner * (t + 1) / nt;
      bin_row<OP>(i1 - i0, a + i0 * sa[0], sa[0], b + i0 * sb[0], sb[0], out + i0);
    }
    return;
  }
  if (total < kParMin) {
    run_rows(0, rows);
    return;
  }
#pragma omp parallel
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    run_rows(rows * t / nt, rows * (t + 1) / nt);
  }
}

template <typename F>
void parallel_chunks(int64_t n, F f) {
  if (n < kParMin) {
    f(0, n);
    return;
  }
#pragma omp parallel
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    f(n * t / nt, n * (t + 1) / nt);
  }
}
}  // namespace

void binary(int op, int rank, const int64_t* shape, const float* a, const int64_t* sa,
            const float* b, const int64_t* sb, float* out) {
  switch (op) {
    case ADD: return binary_t<ADD>(rank, shape, a, sa, b, sb, out);
    case SUB: return binary_t<SUB>(rank, shape, a, sa, b, sb, out);
    case MUL: return binary_t<MUL>(rank, shape, a, sa, b, sb, out);
    case DIV: return binary_t<DIV>(rank, shape, a, sa, b, sb, out);
    case MAX: return binary_t<MAX>(rank, shape, a, sa, b, sb, out);
    case MIN: return binary_t<MIN>(rank, shape, a, sa, b, sb, out);
    case SQDIFF: return binary_t<SQDIFF>(rank, shape, a, sa, b, sb, out);
    case RELU_GRAD_MASK: return binary_t<RELU_GRAD_MASK>(rank, shape, a, sa, b, sb, out);
  }
}

void unary(int op, int64_t n, const float* x, float* y, float alpha) {
  parallel_chunks(n, [&](int64_t i0, int64_t i1) {
    switch (op) {
      case RELU:
#pragma omp simd
        for (int64_t i = i0; i < i1; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
      case RELU6:
#pragma omp simd
        for (int64_t i = i0; i < i1; ++i) y[i] = std::min(std::max(x[i], 0.0f), 6.0f);
        break;
      case STEP:  // tfjs Step: x > 0 ? 1 : alpha, NaN stays NaN; selects, not branches (random signs)
#pragma omp simd
        for (int64_t i = i0; i < i1; ++i) {
          const float v = x[i] > 0.0f ? 1.0f : alpha;
          y[i] = x[i] != x[i] ? x[i] : v;
        }
        break;
      case NEG:
#pragma omp simd
        for (int64_t i = i0; i < i1; ++i) y[i] = -x[i];
        break;
      case SQUARE:
#pragma omp simd
        for (int64_t i = i0; i < i1; ++i) y[i] = x[i] * x[i];
        break;
      case SQRT:
        for (int64_t i = i0; i < i1; ++i) y[i] = std::sqrt(x[i]);
        break;
      case RSQRT:
        for (int64_t i = i0; i < i1; ++i) y[i] = 1.0f / std::sqrt(x[i]);
        break;
      case RECIP:
        for (int64_t i = i0; i < i1; ++i) y[i] = 1.0f / x[i];
        break;
      case EXP:
        for (int64_t i = i0; i < i1; ++i) y[i] = std::exp(x[i]);
        break;
      case LOG:
        for (int64_t i = i0; i < i1; ++i) y[i] = std::log(x[i]);
        break;
      case SIGMOID:
        for (int64_t i = i0; i < i1; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
        break;
      case TANH:
        for (int64_t i = i0; i < i1; ++i) y[i] = std::tanh(x[i]);
        break;
      case ABS:
        for (int64_t i = i0; i < i1; ++i) y[i] = std::fabs(x[i]);
        break;
    }
  });
}

void add_n(int count, const float* const* xs, int64_t n, float* y) {
  parallel_chunks(n, [&](int64_t i0, int64_t i1) {
    std::memcpy(y + i0, xs[0] + i0, (i1 - i0) * sizeof(float));
    for (int k = 1; k < count; ++k) {
      const float* x = xs[k];
#pragma omp simd
      for (int64_t i = i0; i < i1; ++i) y[i] += x[i];
    }
  });
}

void bias_act(int64_t rows, int64_t c, float* y, const float* bias, int act) {
  parallel_chunks(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* row = y + r * c;
      if (bias) {
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) row[j] += bias[j];
      }
      if (act == 1) {
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
      } else if (act == 2) {
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) row[j] = std::min(std::max(row[j], 0.0f), 6.0f);
      }
    }
  });
}

void reduce(int kind, int64_t outer, int64_t red, int64_t inner, const float* x, float* y) {
  const int64_t total = outer * red * inner;
  const int nt = total < kParMin ? 1 : omp_get_max_threads();
  if (inner == 1) {
    // Contiguous rows: one row per output.
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      const float* row = x + o * red;
      if (kind == 2) {
        float m = -INFINITY;
        for (int64_t r = 0; r < red; ++r) m = (row[r] > m || std::isnan(row[r])) ? row[r] : m;
        y[o] = m;
      } else {
        double s = 0.0;
#pragma omp simd reduction(+ : s)
        for (int64_t r = 0; r < red; ++r) s += row[r];
        y[o] = static_cast<float>(kind == 1 ? s / red : s);
      }
    }
    return;
  }
  // [outer, red, inner]: each thread reduces a slice of `red` for every outer into its own
  // partial row (double), then the partials are combined.
  std::vector<double> part(static_cast<size_t>(nt) * outer * inner);
  std::vector<float> partMax;
  if (kind == 2) partMax.assign(static_cast<size_t>(nt) * outer * inner, -INFINITY);
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    const int64_t r0 = red * t / nt, r1 = red * (t + 1) / nt;
    for (int64_t o = 0; o < outer; ++o) {
      if (kind == 2) {
        float* acc = partMax.data() + (static_cast<size_t>(t) * outer + o) * inner;
        for (int64_t r = r0; r < r1; ++r) {
          const float* row = x + (o * red + r) * inner;
          for (int64_t i = 0; i < inner; ++i)
            acc[i] = (row[i] > acc[i] || std::isnan(row[i])) ? row[i] : acc[i];
        }
      } else {
        double* acc = part.data() + (static_cast<size_t>(t) * outer + o) * inner;
        for (int64_t r = r0; r < r1; ++r) {
          const float* row = x + (o * red + r) * inner;
#pragma omp simd
          for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
        }
      }
    }
  }
  for (int64_t j = 0; j < outer * inner; ++j) {
    if (kind == 2) {
      float m = -INFINITY;
      for (int t = 0; t < nt; ++t) {
        const float v = partMax[static_cast<size_t>(t) * outer * inner + j];
        m = (v > m || std::isnan(v)) ? v : m;
      }
      y[j] = m;
    } else {
      double s = 0.0;
      for (int t = 0; t < nt; ++t) s += part[static_cast<size_t>(t) * outer * inner + j];
      y[j] = static_cast<float>(kind == 1 ? s / red : s);
    }
  }
}

void tile(int rank, const int64_t* inShape, const int64_t* reps, const float* x, float* y) {
  std::vector<int64_t> outShape(rank), inStride(rank);
  int64_t rows = 1;
  for (int d = 0; d < rank; ++d) outShape[d] = inShape[d] * reps[d];
  inStride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) inStride[d] = inStride[d + 1] * inShape[d + 1];
  for (int d = 0; d < rank - 1; ++d) rows *= outShape[d];
  const int64_t inner = outShape[rank - 1], innerIn = inShape[rank - 1];
  auto body = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, off = 0;
      for (int d = rank - 2; d >= 0; --d) {
        off += (rem % outShape[d]) % inShape[d] * inStride[d];
        rem /= outShape[d];
      }
      float* o = y + r * inner;
      for (int64_t k = 0; k < reps[rank - 1]; ++k) std::memcpy(o + k * innerIn, x + off, innerIn * sizeof(float));
    }
  };
  if (rows * inner < kParMin) {
    body(0, rows);
  } else {
#pragma omp parallel
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      body(rows * t / nt, rows * (t + 1) / nt);
    }
  }
}

void transpose(int rank, const int64_t* inShape, const int64_t* perm, const float* x, float* y) {
  std::vector<int64_t> outShape(rank), inStride(rank), srcStride(rank);
  inStride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) inStride[d] = inStride[d + 1] * inShape[d + 1];
  for (int d = 0; d < rank; ++d) {
    outShape[d] = inShape[perm[d]];
    srcStride[d] = inStride[perm[d]];
  }
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= outShape[d];
  const int64_t inner = outShape[rank - 1], s = srcStride[rank - 1];
  auto body = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, off = 0;
      for (int d = rank - 2; d >= 0; --d) {
        off += (rem % outShape[d]) * srcStride[d];
        rem /= outShape[d];
      }
      float* o = y + r * inner;
      const float* src = x + off;
      for (int64_t i = 0; i < inner; ++i) o[i] = src[i * s];
    }
  };
  if (rows * inner < kParMin) {
    body(0, rows);
  } else {
#pragma omp parallel
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      body(rows * t / nt, rows * (t + 1) / nt);
    }
  }
}

void slice(int rank, const int64_t* inShape, const int64_t* begin, const int64_t* size, const float* x, float* y) {
  std::vector<int64_t> inStride(rank);
  inStride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) inStride[d] = inStride[d + 1] * inShape[d + 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= size[d];
  const int64_t inner = size[rank - 1];
  auto body = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, off = begin[rank - 1];
      for (int d = rank - 2; d >= 0; --d) {
        off += (rem % size[d] + begin[d]) * inStride[d];
        rem /= size[d];
      }
      std::memcpy(y + r * inner, x + off, inner * sizeof(float));
    }
  };
  if (rows * inner < kParMin) {
    body(0, rows);
  } else {
#pragma omp parallel
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      body(rows * t / nt, rows * (t + 1) / nt);
    }
  }
}

void concat(int count, int64_t outer, const int64_t* inners, const float* const* xs, float* y) {
  int64_t width = 0;
  for (int k = 0; k < count; ++k) width += inners[k];
  auto body = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* o = y + r * width;
      for (int k = 0; k < count; ++k) {
        std::memcpy(o, xs[k] + r * inners[k], inners[k] * sizeof(float));
        o += inners[k];
      }
    }
  };
  if (outer * width < kParMin) {
    body(0, outer);
  } else {
#pragma omp parallel
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      body(outer * t / nt, outer * (t + 1) / nt);
    }
  }
}

void adam(int64_t n, const float* value, const float* grad, const float* m, const float* v,
          float* valueOut, float* mOut, float* vOut, float lr, float b1, float b2, float eps,
          float c1, float c2) {
  const float ob1 = 1.0f - b1, ob2 = 1.0f - b2;
  parallel_chunks(n, [&](int64_t i0, int64_t i1) {
#pragma omp simd
    for (int64_t i = i0; i < i1; ++i) {
      const float g = grad[i];
      const float m1 = m[i] * b1 + g * ob1;
      const float v1 = v[i] * b2 + (g * g) * ob2;
      mOut[i] = m1;
      vOut[i] = v1;
      valueOut[i] = (m1 / c1) / (std::sqrt(v1 / c2) + eps) * (-lr) + value[i];
    }
  });
}

void batchnorm_apply(int64_t rows, int64_t c, const float* x, const float* mean, int64_t meanStride,
                     const float* var, int64_t varStride, const float* gamma, int64_t gammaStride,
                     const float* beta, int64_t betaStride, float eps, float* y) {
  std::vector<float> scale(c), shift(c);
  for (int64_t j = 0; j < c; ++j) {
    const float g = gamma ? gamma[j * gammaStride] : 1.0f;
    const float b = beta ? beta[j * betaStride] : 0.0f;
    scale[j] = g / std::sqrt(var[j * varStride] + eps);
    shift[j] = b - mean[j * meanStride] * scale[j];
  }
  const float* sc = scale.data();
  const float* sh = shift.data();
  auto body = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) yr[j] = xr[j] * sc[j] + sh[j];
    }
  };
  if (rows * c < kParMin) {
    body(0, rows);
  } else {
#pragma omp parallel
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      body(rows * t / nt, rows * (t + 1) / nt);
    }
  }
}

void batchnorm_stats(int64_t rows, int64_t c, const float* x, float* mean, float* var) {
  // One pass: per-thread Σx and Σx² in double (E[x²] − E[x]² loses nothing that matters in
  // double for activations), then combined.
  const int nt = rows * c < kParMin ? 1 : omp_get_max_threads();
  std::vector<double> s1(static_cast<size_t>(nt) * c, 0.0), s2(static_cast<size_t>(nt) * c, 0.0);
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    double* a = s1.data() + static_cast<size_t>(t) * c;
    double* b = s2.data() + static_cast<size_t>(t) * c;
    for (int64_t r = rows * t / nt; r < rows * (t + 1) / nt; ++r) {
      const float* xr = x + r * c;
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        const double v = xr[j];
        a[j] += v;
        b[j] += v * v;
      }
    }
  }
  for (int64_t j = 0; j < c; ++j) {
    double a = 0.0, b = 0.0;
    for (int t = 0; t < nt; ++t) {
      a += s1[static_cast<size_t>(t) * c + j];
      b += s2[static_cast<size_t>(t) * c + j];
    }
    const double m = a / rows;
    mean[j] = static_cast<float>(m);
    var[j] = static_cast<float>(std::max(0.0, b / rows - m * m));
  }
}

void batchnorm_bwd(int64_t rows, int64_t c, const float* x, const float* dy, const float* mean,
                   const float* var, const float* gamma, float eps, float* dx, float* dgamma,
                   float* dbeta) {
  const int nt = rows * c < kParMin ? 1 : omp_get_max_threads();
  std::vector<float> rstd(c);
  for (int64_t j = 0; j < c; ++j) rstd[j] = 1.0f / std::sqrt(var[j] + eps);
  // Pass 1: sum(dy) and sum(dy * (x - mean)) per channel.
  std::vector<double> sdy(static_cast<size_t>(nt) * c, 0.0), sdyx(static_cast<size_t>(nt) * c, 0.0);
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    double* a = sdy.data() + static_cast<size_t>(t) * c;
    double* b = sdyx.data() + static_cast<size_t>(t) * c;
    for (int64_t r = rows * t / nt; r < rows * (t + 1) / nt; ++r) {
      const float* xr = x + r * c;
      const float* gr = dy + r * c;
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        a[j] += gr[j];
        b[j] += gr[j] * (xr[j] - mean[j]);
      }
    }
  }
  std::vector<float> k1(c), k2(c), k3(c);
  for (int64_t j = 0; j < c; ++j) {
    double a = 0.0, b = 0.0;
    for (int t = 0; t < nt; ++t) {
      a += sdy[static_cast<size_t>(t) * c + j];
      b += sdyx[static_cast<size_t>(t) * c + j];
    }
    const float g = gamma ? gamma[j] : 1.0f;
    dbeta[j] = static_cast<float>(a);
    dgamma[j] = static_cast<float>(b * rstd[j]);
    // dx = g*rstd*(dy - mean(dy) - xhat*mean(dy*xhat)) = k1*dy + k2*(x-mean) + k3
    k1[j] = g * rstd[j];
    k2[j] = static_cast<float>(-g * rstd[j] * rstd[j] * rstd[j] * b / rows);
    k3[j] = static_cast<float>(-g * rstd[j] * a / rows);
  }
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    for (int64_t r = rows * t / nt; r < rows * (t + 1) / nt; ++r) {
      const float* xr = x + r * c;
      const float* gr = dy + r * c;
      float* o = dx + r * c;
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) o[j] = k1[j] * gr[j] + k2[j] * (xr[j] - mean[j]) + k3[j];
    }
  }
}

}  // namespace unbox
