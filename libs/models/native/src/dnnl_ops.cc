// Convolutions, matmul and pooling on oneDNN. Primitives are cached by geometry: a training
// loop sees the same few shapes every step, and creating a primitive costs far more than
// running a small one.
#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"
#include "ops.h"

namespace unbox {
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {
engine& eng() {
  static engine e(engine::kind::cpu, 0);
  return e;
}
stream& strm() {
  static stream s(eng());
  return s;
}

std::string key_of(const char* op, const ConvGeom& g, int extra = 0) {
  std::ostringstream k;
  k << op << ':' << g.n << ',' << g.h << ',' << g.w << ',' << g.c << ',' << g.oh << ',' << g.ow
    << ',' << g.oc << ',' << g.kh << ',' << g.kw << ',' << g.sh << ',' << g.sw << ',' << g.dh
    << ',' << g.dw << ',' << g.pt << ',' << g.pl << ',' << g.pb << ',' << g.pr << ',' << g.groups
    << ',' << extra;
  return k.str();
}

memory::desc act_md(int64_t n, int64_t h, int64_t w, int64_t c, dt type = dt::f32) {
  return memory::desc({n, c, h, w}, type, tag::nhwc);
}

// The user's filter: HWIO for dense convolutions; [kh, kw, c, multiplier] for depthwise.
memory::desc user_weights_md(const ConvGeom& g) {
  if (g.groups == 1) {
    return memory::desc({g.oc, g.c, g.kh, g.kw}, dt::f32,
                        memory::dims{1, g.oc, g.kw * g.c * g.oc, g.c * g.oc});
  }
  const int64_t mult = g.oc / g.groups;
  return memory::desc({g.groups, mult, g.c / g.groups, g.kh, g.kw}, dt::f32,
                      memory::dims{mult, 1, 1, g.kw * g.c * mult, g.c * mult});
}

memory::desc any_weights_md(const ConvGeom& g, dt type) {
  if (g.groups == 1) return memory::desc({g.oc, g.c, g.kh, g.kw}, type, tag::any);
  return memory::desc({g.groups, g.oc / g.groups, g.c / g.groups, g.kh, g.kw}, type, tag::any);
}

// Mixed precision: bf16 inputs (activations, filters, output gradients), f32 results.
bool g_bf16 = false;

struct Types {
  dt in;  // activations and filters fed to the primitive
};

convolution_forward::desc fwd_desc(const ConvGeom& g, bool bias, Types t) {
  memory::dims strides{g.sh, g.sw}, dil{g.dh - 1, g.dw - 1}, pl{g.pt, g.pl}, pr{g.pb, g.pr};
  auto src = act_md(g.n, g.h, g.w, g.c, t.in), dst = act_md(g.n, g.oh, g.ow, g.oc);
  if (bias) {
    return convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                     src, any_weights_md(g, t.in),
                                     memory::desc({g.oc}, dt::f32, tag::x), dst, strides, dil,
                                     pl, pr);
  }
  return convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, src,
                                   any_weights_md(g, t.in), dst, strides, dil, pl, pr);
}

// A user buffer in the primitive's layout/type: reordered into scratch when they differ.
struct Conversion {
  memory::desc from, to;
  bool needed;
  reorder prim;
  memory scratch;
  Conversion(const memory::desc& f, const memory::desc& t) : from(f), to(t), needed(f != t) {
    if (needed) {
      prim = reorder(reorder::primitive_desc(eng(), f, eng(), t));
      scratch = memory(t, eng());
    }
  }
  // Input side: user data -> what the primitive reads.
  memory in(const float* p) {
    memory user(from, eng(), const_cast<float*>(p));
    if (!needed) return user;
    prim.execute(strm(), user, scratch);
    return scratch;
  }
};

// Each primitive owns its scratchpad (user mode). With oneDNN's default library-managed global
// scratchpad, backward-weights primitives of new shapes created after others had run corrupted the
// heap under 2 threads (classifier bags of varying slice counts).
primitive_attr own_scratchpad() {
  primitive_attr a;
  a.set_scratchpad_mode(scratchpad_mode::user);
  return a;
}

bool is_reference(const std::string& impl) { return impl.find("ref") != std::string::npos; }

struct FwdEntry {
  convolution_forward::primitive_desc pd;
  convolution_forward prim;
  std::unique_ptr<Conversion> x, w;
  memory scratch;
};
struct BwdDataEntry {
  convolution_backward_data::primitive_desc pd;
  convolution_backward_data prim;
  std::unique_ptr<Conversion> dy, w;
  memory scratch;
};
struct BwdWEntry {
  convolution_backward_weights::primitive_desc pd;
  convolution_backward_weights prim;
  std::unique_ptr<Conversion> x, dy;
  std::unique_ptr<Conversion> dw;  // primitive layout -> user layout
  memory dwmem;                    // the primitive's output when its layout is not the user's
  memory scratch;
};

std::mutex cache_mu;
std::unordered_map<std::string, std::shared_ptr<FwdEntry>> fwd_cache;
std::unordered_map<std::string, std::shared_ptr<BwdDataEntry>> bwdd_cache;
std::unordered_map<std::string, std::shared_ptr<BwdWEntry>> bwdw_cache;

std::shared_ptr<FwdEntry> make_fwd(const ConvGeom& g, bool bias, Types t) {
  auto pd = convolution_forward::primitive_desc(fwd_desc(g, bias, t), own_scratchpad(), eng());
  auto e = std::make_shared<FwdEntry>(FwdEntry{pd, convolution_forward(pd), nullptr, nullptr, memory(pd.scratchpad_desc(), eng())});
  e->x = std::make_unique<Conversion>(act_md(g.n, g.h, g.w, g.c), pd.src_desc());
  e->w = std::make_unique<Conversion>(user_weights_md(g), pd.weights_desc());
  return e;
}

std::shared_ptr<BwdDataEntry> make_bwd_data(const ConvGeom& g, Types t) {
  auto hint = convolution_forward::primitive_desc(fwd_desc(g, false, t), eng());
  memory::dims strides{g.sh, g.sw}, dil{g.dh - 1, g.dw - 1}, pl{g.pt, g.pl}, pr{g.pb, g.pr};
  convolution_backward_data::desc d(algorithm::convolution_direct, act_md(g.n, g.h, g.w, g.c),
                                    any_weights_md(g, t.in), act_md(g.n, g.oh, g.ow, g.oc, t.in),
                                    strides, dil, pl, pr);
  auto pd = convolution_backward_data::primitive_desc(d, own_scratchpad(), eng(), hint);
  auto e = std::make_shared<BwdDataEntry>(
      BwdDataEntry{pd, convolution_backward_data(pd), nullptr, nullptr, memory(pd.scratchpad_desc(), eng())});
  e->dy = std::make_unique<Conversion>(act_md(g.n, g.oh, g.ow, g.oc), pd.diff_dst_desc());
  e->w = std::make_unique<Conversion>(user_weights_md(g), pd.weights_desc());
  return e;
}

std::shared_ptr<BwdWEntry> make_bwd_weights(const ConvGeom& g, Types t) {
  auto hint = convolution_forward::primitive_desc(fwd_desc(g, false, t), eng());
  memory::dims strides{g.sh, g.sw}, dil{g.dh - 1, g.dw - 1}, pl{g.pt, g.pl}, pr{g.pb, g.pr};
  // Channel counts that are not multiples of 16 make oneDNN pick zero-padded blocked filter
  // gradients; oneDNN 2.6's 1×1 strided kernel for those corrupted the heap with 2 threads and an
  // odd batch (55 slices). Asking for the plain HWIO layout selects other, safe kernels there.
  const bool padded = g.c % 16 != 0 || g.oc % 16 != 0;
  convolution_backward_weights::desc d(algorithm::convolution_direct,
                                       act_md(g.n, g.h, g.w, g.c, t.in),
                                       padded ? user_weights_md(g) : any_weights_md(g, dt::f32),
                                       act_md(g.n, g.oh, g.ow, g.oc, t.in), strides, dil, pl, pr);
  auto pd = convolution_backward_weights::primitive_desc(d, own_scratchpad(), eng(), hint);
  auto e = std::make_shared<BwdWEntry>(BwdWEntry{pd, convolution_backward_weights(pd), nullptr, nullptr,
                                                 nullptr, memory(), memory(pd.scratchpad_desc(), eng())});
  e->x = std::make_unique<Conversion>(act_md(g.n, g.h, g.w, g.c), pd.src_desc());
  e->dy = std::make_unique<Conversion>(act_md(g.n, g.oh, g.ow, g.oc), pd.diff_dst_desc());
  e->dw = std::make_unique<Conversion>(pd.diff_weights_desc(), user_weights_md(g));
  if (e->dw->needed) e->dwmem = memory(pd.diff_weights_desc(), eng());
  return e;
}

// bf16 where the CPU runs it natively (AVX512-BF16 / AMX), else f32 for this geometry.
template <typename Entry, typename Make>
std::shared_ptr<Entry> cached(std::unordered_map<std::string, std::shared_ptr<Entry>>& cache,
                              const std::string& key, Make make) {
  std::lock_guard<std::mutex> lk(cache_mu);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::shared_ptr<Entry> e;
  if (g_bf16) {
    try {
      e = make(Types{dt::bf16});
      if (is_reference(e->pd.impl_info_str())) e = nullptr;
    } catch (const dnnl::error&) {
      e = nullptr;
    }
  }
  if (!e) e = make(Types{dt::f32});
  cache.emplace(key, e);
  return e;
}
}  // namespace

void set_threads(int n) { omp_set_num_threads(n > 0 ? n : 1); }
int get_threads() { return omp_get_max_threads(); }
void set_bf16(bool on) { g_bf16 = on; }
bool get_bf16() { return g_bf16; }

std::string dnnl_info() {
  const dnnl_version_t* v = dnnl_version();
  std::ostringstream s;
  s << "oneDNN " << v->major << '.' << v->minor << '.' << v->patch;
  return s.str();
}

void conv_fwd(const ConvGeom& g, const float* x, const float* w, const float* bias, float* y) {
  auto e = cached(fwd_cache, key_of(g_bf16 ? "fb" : "f", g, bias != nullptr),
                  [&](Types t) { return make_fwd(g, bias != nullptr, t); });
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, e->x->in(x)},
                                       {DNNL_ARG_WEIGHTS, e->w->in(w)},
                                       {DNNL_ARG_DST, memory(e->pd.dst_desc(), eng(), y)},
                                       {DNNL_ARG_SCRATCHPAD, e->scratch}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(e->pd.bias_desc(), eng(), const_cast<float*>(bias)));
  e->prim.execute(strm(), args);
  strm().wait();
}

namespace {
// Backward data for very few input channels (the stem, whose input is the image): oneDNN's
// kernels vectorise over input channels and crawl at 1 of 16 lanes. Instead, per image:
// cols = dy · Wᵀ (a GEMM over the K = kh·kw·ic filter taps) and a scatter-add of the columns.
void conv_bwd_data_gemm(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const int64_t taps = g.kh * g.kw * g.c, pixels = g.oh * g.ow;
  const int64_t inImage = g.h * g.w * g.c;
  // One GEMM for the whole batch, outside any parallel region of ours: oneDNN's sgemm must not
  // be called from inside an OpenMP team (it sizes its own work split from the thread count;
  // calling it from two team threads corrupted the heap). cols[p, t] = Σ_oc dy[p, oc] · W[t, oc],
  // W being HWIO = [taps, oc] row-major.
  std::vector<float> cols(static_cast<size_t>(g.n * pixels * taps));
  dnnl_sgemm('N', 'T', g.n * pixels, taps, g.oc, 1.0f, dy, g.oc, w, g.oc, 0.0f, cols.data(), taps);
  // Scatter-add per image: images are disjoint, so they split over the team without races.
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < g.n; ++n) {
    float* img = dx + n * inImage;
    std::fill(img, img + inImage, 0.0f);
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const float* col = cols.data() + ((n * g.oh + oy) * g.ow + ox) * taps;
        for (int64_t ky = 0; ky < g.kh; ++ky) {
          const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            float* dst = img + (iy * g.w + ix) * g.c;
            const float* src = col + (ky * g.kw + kx) * g.c;
            for (int64_t c = 0; c < g.c; ++c) dst[c] += src[c];
          }
        }
      }
    }
  }
}
}  // namespace

void conv_bwd_data(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  if (g.groups == 1 && g.c <= 4) {
    conv_bwd_data_gemm(g, dy, w, dx);
    return;
  }
  auto e = cached(bwdd_cache, key_of(g_bf16 ? "db" : "d", g), [&](Types t) { return make_bwd_data(g, t); });
  e->prim.execute(strm(), {{DNNL_ARG_DIFF_DST, e->dy->in(dy)},
                           {DNNL_ARG_WEIGHTS, e->w->in(w)},
                           {DNNL_ARG_DIFF_SRC, memory(e->pd.diff_src_desc(), eng(), dx)},
                           {DNNL_ARG_SCRATCHPAD, e->scratch}});
  strm().wait();
}

void conv_bwd_weights(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  auto e = cached(bwdw_cache, key_of(g_bf16 ? "wb" : "w", g), [&](Types t) { return make_bwd_weights(g, t); });
  memory user(user_weights_md(g), eng(), dw);
  memory target = e->dw->needed ? e->dwmem : user;
  e->prim.execute(strm(), {{DNNL_ARG_SRC, e->x->in(x)},
                           {DNNL_ARG_DIFF_DST, e->dy->in(dy)},
                           {DNNL_ARG_DIFF_WEIGHTS, target},
                           {DNNL_ARG_SCRATCHPAD, e->scratch}});
  if (e->dw->needed) e->dw->prim.execute(strm(), target, user);
  strm().wait();
}

void matmul(int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* a,
            int64_t strideA, const float* b, int64_t strideB, float* c) {
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  for (int64_t i = 0; i < batch; ++i) {
    dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a + i * strideA,
                                  lda, b + i * strideB, ldb, 0.0f, c + i * m * n, n);
    if (st != dnnl_success) throw std::runtime_error("dnnl_sgemm failed");
  }
}

namespace {
struct PoolEntry {
  pooling_forward::primitive_desc fpd;
  pooling_forward fwd;
  pooling_backward::primitive_desc bpd;
  pooling_backward bwd;
  memory ws, fscratch, bscratch;
};
std::unordered_map<std::string, std::shared_ptr<PoolEntry>> pool_cache;

std::shared_ptr<PoolEntry> pool_entry(const ConvGeom& g, int kind) {
  std::lock_guard<std::mutex> lk(cache_mu);
  auto k = key_of("p", g, kind);
  auto it = pool_cache.find(k);
  if (it != pool_cache.end()) return it->second;
  auto alg = kind == 0 ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding;
  memory::dims strides{g.sh, g.sw}, kernel{g.kh, g.kw}, pl{g.pt, g.pl}, pr{g.pb, g.pr};
  auto src = act_md(g.n, g.h, g.w, g.c), dst = act_md(g.n, g.oh, g.ow, g.oc);
  pooling_forward::desc fd(prop_kind::forward_training, alg, src, dst, strides, kernel, pl, pr);
  auto fpd = pooling_forward::primitive_desc(fd, own_scratchpad(), eng());
  pooling_backward::desc bd(alg, src, dst, strides, kernel, pl, pr);
  auto bpd = pooling_backward::primitive_desc(bd, own_scratchpad(), eng(), fpd);
  auto e = std::make_shared<PoolEntry>(PoolEntry{fpd, pooling_forward(fpd), bpd, pooling_backward(bpd), memory(),
                                                 memory(fpd.scratchpad_desc(), eng()),
                                                 memory(bpd.scratchpad_desc(), eng())});
  if (kind == 0) e->ws = memory(fpd.workspace_desc(), eng());
  pool_cache.emplace(k, e);
  return e;
}
}  // namespace

void pool_fwd(const ConvGeom& g, int kind, const float* x, float* y) {
  auto e = pool_entry(g, kind);
  memory src(e->fpd.src_desc(), eng(), const_cast<float*>(x)), dst(e->fpd.dst_desc(), eng(), y);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCRATCHPAD, e->fscratch}};
  if (kind == 0) args.emplace(DNNL_ARG_WORKSPACE, e->ws);
  e->fwd.execute(strm(), args);
  strm().wait();
}

// Max-pool backward needs the forward workspace, so the forward is re-run on x here: tfjs hands
// the backward kernel x (and y), never a workspace.
void pool_bwd(const ConvGeom& g, int kind, const float* x, const float* dy, float* dx) {
  auto e = pool_entry(g, kind);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_DIFF_DST, memory(e->bpd.diff_dst_desc(), eng(), const_cast<float*>(dy))},
      {DNNL_ARG_DIFF_SRC, memory(e->bpd.diff_src_desc(), eng(), dx)},
      {DNNL_ARG_SCRATCHPAD, e->bscratch}};
  if (kind == 0) {
    memory tmp(e->fpd.dst_desc(), eng());
    e->fwd.execute(strm(), {{DNNL_ARG_SRC, memory(e->fpd.src_desc(), eng(), const_cast<float*>(x))},
                            {DNNL_ARG_DST, tmp},
                            {DNNL_ARG_WORKSPACE, e->ws},
                            {DNNL_ARG_SCRATCHPAD, e->fscratch}});
    args.emplace(DNNL_ARG_WORKSPACE, e->ws);
  }
  e->bwd.execute(strm(), args);
  strm().wait();
}

}  // namespace unbox
