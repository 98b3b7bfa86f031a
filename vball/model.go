package vball

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute/shapes"
	gr "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/pcamgo/pcamgo/models/fastconv"
)

// Model names accepted by --model_name.
const (
	ModelV1     = "VballNetV1"
	ModelFastV1 = "VballNetFastV1"
)

// ModelNames lists the available models.
func ModelNames() []string { return []string{ModelV1, ModelFastV1} }

// ModelConfig describes the model's input and width.
type ModelConfig struct {
	Name      string // ModelV1 or ModelFastV1.
	Seq       int    // Frames per sequence (= output heatmaps).
	Grayscale bool   // Input channels: Seq (grayscale) or 3·Seq.
	// WidthMultiplier multiplies the channel counts (1 → 16/32/64). Default 1.
	WidthMultiplier float64
	// Conv selects the convolution implementation: "auto" (fastconv on the Go backend, GoMLX's
	// gr.Convolve elsewhere), "native" or "fast".
	Conv string
}

// InputChannels is Seq for grayscale and 3·Seq for RGB.
func (c ModelConfig) InputChannels() int {
	if c.Grayscale {
		return c.Seq
	}
	return 3 * c.Seq
}

// Validate checks the configuration.
func (c ModelConfig) Validate() error {
	if c.Name != ModelV1 && c.Name != ModelFastV1 {
		return fmt.Errorf("vball: unknown model %q: valid names are %s", c.Name, strings.Join(ModelNames(), ", "))
	}
	if c.Seq < 1 {
		return fmt.Errorf("vball: seq must be >= 1, got %d", c.Seq)
	}
	switch c.Conv {
	case "", "auto", "native", "fast":
	default:
		return fmt.Errorf("vball: conv must be auto, native or fast, got %q", c.Conv)
	}
	return nil
}

// ModelFn builds the model graph: inputs [N, H, W, InputChannels] float in [0, 1] → logits
// [N, H, W, Seq]. Apply gr.Sigmoid for heatmaps (Predict does); the loss works on the logits
// for numerical stability.
type ModelFn func(scope *model.Scope, x *gr.Node) *gr.Node

// NewModel returns the model function of cfg. H and W must be multiples of 4.
func NewModel(cfg ModelConfig) (ModelFn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.WidthMultiplier <= 0 {
		cfg.WidthMultiplier = 1
	}
	return func(scope *model.Scope, x *gr.Node) *gr.Node {
		s := x.Shape()
		if s.Rank() != 4 || s.Dimensions[3] != cfg.InputChannels() {
			panic(fmt.Errorf("vball: %s expects inputs [N, H, W, %d] (seq %d, grayscale %t), got %s",
				cfg.Name, cfg.InputChannels(), cfg.Seq, cfg.Grayscale, s))
		}
		if s.Dimensions[1]%4 != 0 || s.Dimensions[2]%4 != 0 {
			panic(fmt.Errorf("vball: %s needs height and width multiples of 4, got %dx%d", cfg.Name, s.Dimensions[2], s.Dimensions[1]))
		}
		b := &builder{cfg: cfg, fast: useFast(cfg.Conv, x.Graph())}
		if cfg.Name == ModelV1 {
			return b.v1(scope, x)
		}
		return b.fastV1(scope, x)
	}, nil
}

// builder holds the per-graph choices.
type builder struct {
	cfg  ModelConfig
	fast bool
}

func (b *builder) ch(n int) int { return max(4, int(math.Round(float64(n)*b.cfg.WidthMultiplier))) }

func useFast(conv string, g *gr.Graph) bool {
	switch conv {
	case "native":
		return false
	case "fast":
		return true
	}
	bk := g.Backend()
	return bk != nil && (bk.String() == "go" || bk.Name() == "Go Backend")
}

// headBias initialises the heatmap logits' bias: sigmoid(−4) ≈ 0.018, so training starts from
// "no ball anywhere" instead of 0.5 everywhere (as CenterNet's focal-loss heads).
const headBias = -4

// conv is a k×k convolution (SAME, stride) with bias.
func (b *builder) conv(scope *model.Scope, x *gr.Node, cout, k, stride int) *gr.Node {
	return b.convInit(scope, x, cout, k, stride, 0)
}

// convInit is conv with the bias initialised to biasInit.
func (b *builder) convInit(scope *model.Scope, x *gr.Node, cout, k, stride int, biasInit float32) *gr.Node {
	g := x.Graph()
	cin := x.Shape().Dimensions[3]
	w := scope.VariableWithShape("weights", shapes.Make(x.DType(), k, k, cin, cout)).NodeValue(g)
	var y *gr.Node
	if b.fast {
		y = fastconv.Conv2D(x, w, stride)
	} else {
		y = gr.Convolve(x, w).StridePerAxis(stride, stride).PadSame().Done()
	}
	init := initializer.Zero
	if biasInit != 0 {
		init = initializer.BroadcastTensorToShape(scalarTensor(biasInit))
	}
	bias := scope.WithInitializer(init).VariableWithShape("biases", shapes.Make(x.DType(), cout)).NodeValue(g)
	return gr.Add(y, gr.Reshape(bias, 1, 1, 1, cout))
}

// depthwise is a 3×3 depthwise convolution (SAME, stride 1) computed as nine shifted
// multiply-adds: element-wise ops, fast on every backend (GoMLX's grouped gr.Convolve is slow on the
// Go backend).
func depthwise(scope *model.Scope, x *gr.Node) *gr.Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	h, w, c := dims[1], dims[2], dims[3]
	k := scope.WithInitializer(initializer.RandomNormalFn(scope, math.Sqrt(2.0/9))).
		VariableWithShape("depthwise", shapes.Make(x.DType(), 9, c)).NodeValue(g)
	xp := gr.Pad(x, gr.ScalarZero(g, x.DType()), gr.PadAxis{}, gr.PadAxis{Start: 1, End: 1}, gr.PadAxis{Start: 1, End: 1}, gr.PadAxis{})
	var y *gr.Node
	for dy := range 3 {
		for dx := range 3 {
			sl := gr.Slice(xp, gr.AxisRange(), gr.AxisRange(dy, dy+h), gr.AxisRange(dx, dx+w), gr.AxisRange())
			t := gr.Mul(sl, gr.Reshape(gr.Slice(k, gr.AxisElem(dy*3+dx), gr.AxisRange()), 1, 1, 1, c))
			if y == nil {
				y = t
			} else {
				y = gr.Add(y, t)
			}
		}
	}
	return y
}

// batchNorm is batch normalisation over channels with the differentiable graph (the Go backend
// has no fused op).
func batchNorm(scope *model.Scope, x *gr.Node) *gr.Node {
	return norm.BatchNorm(scope, x, -1).Momentum(0.9).Epsilon(1e-3).UseBackendInference(false).Done()
}

// sepBlock is depthwise 3×3 → pointwise 1×1 → batch norm → ReLU.
func (b *builder) sepBlock(scope *model.Scope, x *gr.Node, cout int) *gr.Node {
	x = depthwise(scope.In("dw"), x)
	x = b.conv(scope.In("pw"), x, cout, 1, 1)
	return gr.Max(batchNorm(scope, x), gr.ZerosLike(x))
}

// convBlock is a full 3×3 convolution → batch norm → ReLU.
func (b *builder) convBlock(scope *model.Scope, x *gr.Node, cout, stride int) *gr.Node {
	x = b.conv(scope, x, cout, 3, stride)
	return gr.Max(batchNorm(scope, x), gr.ZerosLike(x))
}

// maxPool2 is a 2×2/2 max-pool (H, W even).
func maxPool2(x *gr.Node) *gr.Node { return fastconv.MaxPool2D(x, 2, 2) }

// Upsample2x doubles H and W of an NHWC tensor with bilinear interpolation (half-pixel centres,
// edges clamped: as tf.image.resize / PyTorch align_corners=False), built from slices and
// element-wise ops so that its gradient is cheap on every backend.
func Upsample2x(x *gr.Node) *gr.Node {
	return upsampleAxis(upsampleAxis(x, 1), 2)
}

func upsampleAxis(x *gr.Node, axis int) *gr.Node {
	n := x.Shape().Dimensions[axis]
	prev := gr.Concatenate([]*gr.Node{gr.SliceAxis(x, axis, gr.AxisRange(0, 1)), gr.SliceAxis(x, axis, gr.AxisRange(0, n-1))}, axis)
	next := gr.Concatenate([]*gr.Node{gr.SliceAxis(x, axis, gr.AxisRange(1, n)), gr.SliceAxis(x, axis, gr.AxisRange(n-1, n))}, axis)
	even := gr.Add(gr.MulScalar(x, 0.75), gr.MulScalar(prev, 0.25))
	odd := gr.Add(gr.MulScalar(x, 0.75), gr.MulScalar(next, 0.25))
	st := gr.Stack([]*gr.Node{even, odd}, axis+1) // [..., n, 2, ...]
	dims := append([]int(nil), x.Shape().Dimensions...)
	dims[axis] *= 2
	return gr.Reshape(st, dims...)
}

// MotionPrompt computes train_v3.py's motion-prompt attention from frame differences:
// for each frame t, m_t = sigmoid(a·|gray_t − gray_{t−1}| + b) (frame 0 uses the difference
// of frames 1 and 0), with learnable scalars a (init 10) and b (init −2). x is [N, H, W, Seq·C];
// the result is [N, H, W, Seq].
func MotionPrompt(scope *model.Scope, x *gr.Node, seq int) *gr.Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	c := dims[3] / seq
	grays := make([]*gr.Node, seq)
	for t := range seq {
		f := gr.SliceAxis(x, 3, gr.AxisRange(t*c, (t+1)*c))
		grays[t] = gr.ReduceMean(f, 3)
	}
	if seq == 1 {
		return gr.ExpandAxes(gr.ZerosLike(grays[0]), -1)
	}
	a := scope.WithInitializer(initializer.BroadcastTensorToShape(scalarTensor(10))).
		VariableWithShape("a", shapes.Make(x.DType())).NodeValue(g)
	bb := scope.WithInitializer(initializer.BroadcastTensorToShape(scalarTensor(-2))).
		VariableWithShape("b", shapes.Make(x.DType())).NodeValue(g)
	maps := make([]*gr.Node, seq)
	for t := 1; t < seq; t++ {
		d := gr.Abs(gr.Sub(grays[t], grays[t-1]))
		maps[t] = gr.Sigmoid(gr.Add(gr.Mul(d, a), bb))
	}
	maps[0] = maps[1]
	return gr.Stack(maps, 3)
}

// v1 is VballNetV1: motion prompt → U-Net of separable convolutions (16/32/64 channels, two
// 2×2 max-pools, bilinear upsampling with skip connections) → per-frame logits shifted by the
// motion attention ("attention-weighted" output: z'_t = z_t + w·(2·m_t − 1), w learnable, init 1).
func (b *builder) v1(scope *model.Scope, x *gr.Node) *gr.Node {
	seq := b.cfg.Seq
	motion := MotionPrompt(scope.In("motion"), x, seq)
	in := gr.Concatenate([]*gr.Node{x, motion}, 3)
	e1 := b.convBlock(scope.In("enc1a"), in, b.ch(16), 1)
	e1 = b.sepBlock(scope.In("enc1b"), e1, b.ch(16))
	e2 := b.sepBlock(scope.In("enc2a"), maxPool2(e1), b.ch(32))
	e2 = b.sepBlock(scope.In("enc2b"), e2, b.ch(32))
	e3 := b.sepBlock(scope.In("enc3a"), maxPool2(e2), b.ch(64))
	e3 = b.sepBlock(scope.In("enc3b"), e3, b.ch(64))
	d2 := b.sepBlock(scope.In("dec2"), gr.Concatenate([]*gr.Node{Upsample2x(e3), e2}, 3), b.ch(32))
	d1 := b.sepBlock(scope.In("dec1"), gr.Concatenate([]*gr.Node{Upsample2x(d2), e1}, 3), b.ch(16))
	logits := b.convInit(scope.In("head"), d1, seq, 1, 1, headBias)
	g := x.Graph()
	wm := scope.WithInitializer(initializer.One).VariableWithShape("attention_weight", shapes.Make(x.DType())).NodeValue(g)
	return gr.Add(logits, gr.Mul(wm, gr.AddScalar(gr.MulScalar(motion, 2), -1)))
}

// fastV1 is VballNetFastV1: a strided 3×3 convolution to half resolution, separable
// encoder/decoder at 1/2 and 1/4 resolution, bilinear upsampling back to full size and a 1×1
// head.
func (b *builder) fastV1(scope *model.Scope, x *gr.Node) *gr.Node {
	e1 := b.convBlock(scope.In("stem"), x, b.ch(16), 2) // H/2
	e1 = b.sepBlock(scope.In("enc1"), e1, b.ch(32))
	e2 := b.sepBlock(scope.In("enc2a"), maxPool2(e1), b.ch(64)) // H/4
	e2 = b.sepBlock(scope.In("enc2b"), e2, b.ch(64))
	d1 := b.sepBlock(scope.In("dec1"), gr.Concatenate([]*gr.Node{Upsample2x(e2), e1}, 3), b.ch(32)) // H/2
	d0 := b.sepBlock(scope.In("dec0"), Upsample2x(d1), b.ch(16))                                    // H
	return b.convInit(scope.In("head"), d0, b.cfg.Seq, 1, 1, headBias)
}

// WeightedBCE is the TrackNet weighted binary cross-entropy on probabilities p (clipped to
// [1e-7, 1−1e-7]): −[(1−p)²·y·log p + p²·(1−y)·log(1−p)], averaged over all elements.
func WeightedBCE(y, p *gr.Node) *gr.Node {
	p = gr.ClipScalar(p, 1e-7, 1-1e-7)
	one := gr.OnesLike(p)
	pos := gr.Mul(gr.Mul(gr.Square(gr.Sub(one, p)), y), gr.Log(p))
	neg := gr.Mul(gr.Mul(gr.Square(p), gr.Sub(one, y)), gr.Log(gr.Sub(one, p)))
	return gr.Neg(gr.ReduceAllMean(gr.Add(pos, neg)))
}

// WeightedBCELogits is WeightedBCE computed from logits z (p = sigmoid(z)) with stable
// log-sigmoids. alpha in [0, 1] additionally weights the positive term by alpha and the negative
// one by 1−alpha (train_v3.py --alpha); alpha < 0 disables that weighting (the default −1).
func WeightedBCELogits(y, z *gr.Node, alpha float64) *gr.Node {
	p := gr.Sigmoid(z)
	one := gr.OnesLike(p)
	logP := gr.Neg(gr.Softplus(gr.Neg(z)))
	log1mP := gr.Neg(gr.Softplus(z))
	pos := gr.Mul(gr.Mul(gr.Square(gr.Sub(one, p)), y), logP)
	neg := gr.Mul(gr.Mul(gr.Square(p), gr.Sub(one, y)), log1mP)
	if alpha >= 0 {
		pos = gr.MulScalar(pos, alpha)
		neg = gr.MulScalar(neg, 1-alpha)
	}
	return gr.Neg(gr.ReduceAllMean(gr.Add(pos, neg)))
}

var errNoLogits = errors.New("vball: loss needs one prediction (the logits) and one label")

// scalarTensor is a float32 scalar tensor (for constant initializers).
func scalarTensor(v float32) *tensors.Tensor { return tensors.FromValue(v) }
