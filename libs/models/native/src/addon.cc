// N-API bindings of the native engine: thin argument unpacking over ops.h. Typed arrays are used
// in place (no copies); shapes and parameters arrive as plain JS number arrays.
#include <node_api.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "ops.h"

namespace {
using unbox::ConvGeom;

struct Args {
  napi_env env;
  std::vector<napi_value> v;
  Args(napi_env e, napi_callback_info info, size_t want) : env(e), v(want) {
    size_t argc = want;
    napi_get_cb_info(e, info, &argc, v.data(), nullptr, nullptr);
    if (argc < want) throw std::invalid_argument("expected " + std::to_string(want) + " arguments");
  }
  int64_t i(size_t k) const {
    double d;
    if (napi_get_value_double(env, v[k], &d) != napi_ok)
      throw std::invalid_argument("argument " + std::to_string(k) + " must be a number");
    return static_cast<int64_t>(d);
  }
  double d(size_t k) const {
    double x;
    if (napi_get_value_double(env, v[k], &x) != napi_ok)
      throw std::invalid_argument("argument " + std::to_string(k) + " must be a number");
    return x;
  }
  bool isNull(size_t k) const {
    napi_valuetype t;
    napi_typeof(env, v[k], &t);
    return t == napi_null || t == napi_undefined;
  }
  float* f32(size_t k, bool nullable = false) const {
    if (nullable && isNull(k)) return nullptr;
    bool is = false;
    napi_is_typedarray(env, v[k], &is);
    if (!is) throw std::invalid_argument("argument " + std::to_string(k) + " must be a Float32Array");
    napi_typedarray_type type;
    size_t len;
    void* data;
    napi_value buf;
    size_t off;
    napi_get_typedarray_info(env, v[k], &type, &len, &data, &buf, &off);
    if (type != napi_float32_array)
      throw std::invalid_argument("argument " + std::to_string(k) + " must be a Float32Array");
    return static_cast<float*>(data);
  }
  std::vector<int64_t> ints(size_t k) const {
    bool is = false;
    napi_is_array(env, v[k], &is);
    if (!is) throw std::invalid_argument("argument " + std::to_string(k) + " must be an array");
    uint32_t n;
    napi_get_array_length(env, v[k], &n);
    std::vector<int64_t> out(n);
    for (uint32_t j = 0; j < n; ++j) {
      napi_value e;
      double x;
      napi_get_element(env, v[k], j, &e);
      if (napi_get_value_double(env, e, &x) != napi_ok)
        throw std::invalid_argument("argument " + std::to_string(k) + " must hold numbers");
      out[j] = static_cast<int64_t>(x);
    }
    return out;
  }
  ConvGeom geom(size_t k) const {
    auto g = ints(k);
    if (g.size() != 18) throw std::invalid_argument("conv geometry needs 18 numbers");
    return ConvGeom{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11],
                    g[12], g[13], g[14], g[15], g[16], g[17]};
  }
};

napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

template <typename F>
napi_value guard(napi_env env, F f) {
  try {
    return f();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("unbox native engine: ") + e.what()).c_str());
    return nullptr;
  }
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 1);
    unbox::set_threads(static_cast<int>(a.i(0)));
    return undef(env);
  });
}
napi_value SetBf16(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 1);
    unbox::set_bf16(a.i(0) != 0);
    return undef(env);
  });
}
napi_value GetBf16(napi_env env, napi_callback_info) {
  napi_value r;
  napi_get_boolean(env, unbox::get_bf16(), &r);
  return r;
}
napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, unbox::get_threads(), &r);
  return r;
}
napi_value Info(napi_env env, napi_callback_info) {
  return guard(env, [&] {
    napi_value r;
    auto s = unbox::dnnl_info();
    napi_create_string_utf8(env, s.c_str(), s.size(), &r);
    return r;
  });
}
// conv(kind, geom, a, b, c, out): 0 forward (x, w, bias|null, y); 1 backward data (dy, w, -, dx);
// 2 backward weights (x, dy, -, dw).
napi_value Conv(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 6);
    const int kind = static_cast<int>(a.i(0));
    const ConvGeom g = a.geom(1);
    if (kind == 0) unbox::conv_fwd(g, a.f32(2), a.f32(3), a.f32(4, true), a.f32(5));
    else if (kind == 1) unbox::conv_bwd_data(g, a.f32(2), a.f32(3), a.f32(5));
    else unbox::conv_bwd_weights(g, a.f32(2), a.f32(3), a.f32(5));
    return undef(env);
  });
}
// matmul(batch, m, n, k, ta, tb, a, strideA, b, strideB, c)
napi_value Matmul(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 11);
    unbox::matmul(a.i(0), a.i(1), a.i(2), a.i(3), a.i(4) != 0, a.i(5) != 0, a.f32(6), a.i(7),
                  a.f32(8), a.i(9), a.f32(10));
    return undef(env);
  });
}
// pool(backward, geom, kind, x, dy|null, out)
napi_value Pool(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 6);
    const ConvGeom g = a.geom(1);
    if (a.i(0) == 0) unbox::pool_fwd(g, static_cast<int>(a.i(2)), a.f32(3), a.f32(5));
    else unbox::pool_bwd(g, static_cast<int>(a.i(2)), a.f32(3), a.f32(4), a.f32(5));
    return undef(env);
  });
}
// binary(op, shape, a, stridesA, b, stridesB, out)
napi_value Binary(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 7);
    auto shape = a.ints(1), sa = a.ints(3), sb = a.ints(5);
    if (shape.empty() || sa.size() != shape.size() || sb.size() != shape.size())
      throw std::invalid_argument("binary: shape and strides must have the same non-zero rank");
    unbox::binary(static_cast<int>(a.i(0)), static_cast<int>(shape.size()), shape.data(), a.f32(2),
                  sa.data(), a.f32(4), sb.data(), a.f32(6));
    return undef(env);
  });
}
// unary(op, x, y, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 4);
    float* x = a.f32(1);
    napi_value buf;
    size_t len, off;
    napi_typedarray_type t;
    void* d;
    napi_get_typedarray_info(env, a.v[1], &t, &len, &d, &buf, &off);
    unbox::unary(static_cast<int>(a.i(0)), static_cast<int64_t>(len), x, a.f32(2),
                 static_cast<float>(a.d(3)));
    return undef(env);
  });
}
// addN([x...], y, n)
napi_value AddN(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 3);
    uint32_t count;
    napi_get_array_length(env, a.v[0], &count);
    std::vector<const float*> xs(count);
    for (uint32_t j = 0; j < count; ++j) {
      napi_value e;
      napi_get_element(env, a.v[0], j, &e);
      Args one = a;
      one.v = {e};
      xs[j] = one.f32(0);
    }
    if (count == 0) throw std::invalid_argument("addN needs at least one input");
    unbox::add_n(static_cast<int>(count), xs.data(), a.i(2), a.f32(1));
    return undef(env);
  });
}
// biasAct(rows, c, y, bias|null, act)
napi_value BiasAct(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 5);
    unbox::bias_act(a.i(0), a.i(1), a.f32(2), a.f32(3, true), static_cast<int>(a.i(4)));
    return undef(env);
  });
}
// reduce(kind, outer, red, inner, x, y)
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 6);
    unbox::reduce(static_cast<int>(a.i(0)), a.i(1), a.i(2), a.i(3), a.f32(4), a.f32(5));
    return undef(env);
  });
}
// tile(inShape, reps, x, y) / transpose(inShape, perm, x, y)
napi_value Tile(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 4);
    auto s = a.ints(0), r = a.ints(1);
    if (s.empty() || s.size() != r.size()) throw std::invalid_argument("tile: rank mismatch");
    unbox::tile(static_cast<int>(s.size()), s.data(), r.data(), a.f32(2), a.f32(3));
    return undef(env);
  });
}
napi_value Transpose(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 4);
    auto s = a.ints(0), p = a.ints(1);
    if (s.empty() || s.size() != p.size()) throw std::invalid_argument("transpose: rank mismatch");
    unbox::transpose(static_cast<int>(s.size()), s.data(), p.data(), a.f32(2), a.f32(3));
    return undef(env);
  });
}
// slice(inShape, begin, size, x, y)
napi_value Slice(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 5);
    auto s = a.ints(0), b = a.ints(1), z = a.ints(2);
    if (s.empty() || b.size() != s.size() || z.size() != s.size()) throw std::invalid_argument("slice: rank mismatch");
    for (size_t d = 0; d < s.size(); ++d)
      if (b[d] < 0 || z[d] < 0 || b[d] + z[d] > s[d]) throw std::invalid_argument("slice: box outside the tensor");
    unbox::slice(static_cast<int>(s.size()), s.data(), b.data(), z.data(), a.f32(3), a.f32(4));
    return undef(env);
  });
}
// concat([x...], outer, inners, y)
napi_value Concat(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 4);
    uint32_t count;
    napi_get_array_length(env, a.v[0], &count);
    auto inners = a.ints(2);
    if (count == 0 || inners.size() != count) throw std::invalid_argument("concat: one width per input expected");
    std::vector<const float*> xs(count);
    for (uint32_t j = 0; j < count; ++j) {
      napi_value e;
      napi_get_element(env, a.v[0], j, &e);
      Args one = a;
      one.v = {e};
      xs[j] = one.f32(0);
    }
    unbox::concat(static_cast<int>(count), a.i(1), inners.data(), xs.data(), a.f32(3));
    return undef(env);
  });
}
// adam(value, grad, m, v, valueOut, mOut, vOut, lr, b1, b2, eps, c1, c2)
napi_value Adam(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 13);
    napi_value buf;
    size_t len, off;
    napi_typedarray_type t;
    void* d;
    float* value = a.f32(0);
    napi_get_typedarray_info(env, a.v[0], &t, &len, &d, &buf, &off);
    for (size_t k = 1; k < 7; ++k) {
      size_t l2;
      a.f32(k);
      napi_get_typedarray_info(env, a.v[k], &t, &l2, &d, &buf, &off);
      if (l2 != len) throw std::invalid_argument("adam: all arrays must have the same length");
    }
    unbox::adam(static_cast<int64_t>(len), value, a.f32(1), a.f32(2), a.f32(3), a.f32(4), a.f32(5),
                a.f32(6), static_cast<float>(a.d(7)), static_cast<float>(a.d(8)),
                static_cast<float>(a.d(9)), static_cast<float>(a.d(10)),
                static_cast<float>(a.d(11)), static_cast<float>(a.d(12)));
    return undef(env);
  });
}
// bnApply(rows, c, x, mean, ms, var, vs, gamma|null, gs, beta|null, bs, eps, y)
napi_value BnApply(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 13);
    unbox::batchnorm_apply(a.i(0), a.i(1), a.f32(2), a.f32(3), a.i(4), a.f32(5), a.i(6),
                           a.f32(7, true), a.i(8), a.f32(9, true), a.i(10),
                           static_cast<float>(a.d(11)), a.f32(12));
    return undef(env);
  });
}
// bnStats(rows, c, x, mean, var)
napi_value BnStats(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 5);
    unbox::batchnorm_stats(a.i(0), a.i(1), a.f32(2), a.f32(3), a.f32(4));
    return undef(env);
  });
}
// bnBwd(rows, c, x, dy, mean, var, gamma|null, eps, dx, dgamma, dbeta)
napi_value BnBwd(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args a(env, info, 11);
    unbox::batchnorm_bwd(a.i(0), a.i(1), a.f32(2), a.f32(3), a.f32(4), a.f32(5), a.f32(6, true),
                         static_cast<float>(a.d(7)), a.f32(8), a.f32(9), a.f32(10));
    return undef(env);
  });
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setBf16", nullptr, SetBf16, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getBf16", nullptr, GetBf16, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pool", nullptr, Pool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addN", nullptr, AddN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasAct", nullptr, BiasAct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slice", nullptr, Slice, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, Concat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bnApply", nullptr, BnApply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bnStats", nullptr, BnStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bnBwd", nullptr, BnBwd, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
