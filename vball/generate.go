package vball

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// GenerateConfig describes a synthetic dataset (see Generate).
type GenerateConfig struct {
	Out              string  // Dataset root (must not exist, or be empty).
	TrainMatches     int     // Matches under train_preprocessed (default 2).
	TestMatches      int     // Matches under test (0: no test split).
	RalliesPerMatch  int     // Default 3.
	FramesPerRally   int     // Default 30.
	Width, Height    int     // Frame size (default 512×288, train_v3.py's).
	Sigma            float64 // Heatmap Gaussian sigma (default 3).
	OccludedFraction float64 // Fraction of frames where the ball is hidden (default 0.1).
	Ext              string  // ".jpg" (default) or ".png".
	Seed             int64
}

// GenerateSummary counts what Generate wrote.
type GenerateSummary struct {
	Root          string `json:"root"`
	TrainFrames   int    `json:"train_frames"`
	TestFrames    int    `json:"test_frames"`
	VisibleFrames int    `json:"visible_frames"`
	HiddenFrames  int    `json:"hidden_frames"`
}

func (c *GenerateConfig) defaults() {
	if c.TrainMatches == 0 {
		c.TrainMatches = 2
	}
	if c.RalliesPerMatch == 0 {
		c.RalliesPerMatch = 3
	}
	if c.FramesPerRally == 0 {
		c.FramesPerRally = 30
	}
	if c.Width == 0 && c.Height == 0 {
		c.Width, c.Height = 512, 288
	}
	if c.Sigma == 0 {
		c.Sigma = DefaultSigma
	}
	if c.OccludedFraction == 0 {
		c.OccludedFraction = 0.1
	}
	if c.Ext == "" {
		c.Ext = ".jpg"
	}
}

// Generate writes a synthetic dataset in train_v3.py's layout: for each match a textured court
// (noise texture, lines, net) with moving players; each rally is a ball flight (gravity, floor
// bounces) drawn as a small bright disc. The ball is hidden when it leaves the frame, passes
// behind a player, or in random occlusion runs (OccludedFraction). For every split/match/rally it
// writes inputs/<rally>/<i><ext>, heatmaps/<rally>/<i><ext> (Gaussian, sigma Sigma, black when
// hidden) and labels/<rally>.csv (Frame,Visibility,X,Y). Output appears atomically.
func Generate(cfg GenerateConfig) (GenerateSummary, error) {
	cfg.defaults()
	if cfg.Width < 16 || cfg.Height < 16 {
		return GenerateSummary{}, fmt.Errorf("vball: generate: frame size %dx%d too small (min 16x16)", cfg.Width, cfg.Height)
	}
	if cfg.TrainMatches < 0 || cfg.TestMatches < 0 || cfg.RalliesPerMatch < 1 || cfg.FramesPerRally < 1 {
		return GenerateSummary{}, fmt.Errorf("vball: generate: counts must be positive")
	}
	if cfg.Ext != ".jpg" && cfg.Ext != ".png" {
		return GenerateSummary{}, fmt.Errorf("vball: generate: extension must be .jpg or .png, got %q", cfg.Ext)
	}
	sum := GenerateSummary{Root: cfg.Out}
	err := writeAtomically(cfg.Out, func(tmp string) error {
		rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))
		for _, sp := range []struct {
			dir     string
			matches int
			count   *int
		}{{TrainDir, cfg.TrainMatches, &sum.TrainFrames}, {TestDir, cfg.TestMatches, &sum.TestFrames}} {
			for m := range sp.matches {
				court := newCourt(cfg.Width, cfg.Height, rng)
				mdir := filepath.Join(tmp, sp.dir, fmt.Sprintf("match%d", m+1))
				for r := range cfg.RalliesPerMatch {
					vis, err := writeRally(mdir, fmt.Sprintf("rally%d", r+1), court, cfg, rng)
					if err != nil {
						return err
					}
					*sp.count += cfg.FramesPerRally
					sum.VisibleFrames += vis
					sum.HiddenFrames += cfg.FramesPerRally - vis
				}
			}
		}
		return nil
	})
	return sum, err
}

// court is a match's static background and its players.
type court struct {
	w, h    int
	bg      []uint8 // RGB.
	players []player
}

type player struct {
	x, y, vx, w, h float64
	col            [3]uint8
}

func newCourt(w, h int, rng *rand.Rand) *court {
	c := &court{w: w, h: h, bg: make([]uint8, w*h*3)}
	base := [3]float64{150 + 60*rng.Float64(), 80 + 60*rng.Float64(), 40 + 60*rng.Float64()}
	// Value-noise texture on a coarse grid, bilinearly interpolated, plus fine grain.
	gw, gh := w/16+2, h/16+2
	grid := make([]float64, gw*gh)
	for i := range grid {
		grid[i] = rng.Float64()*40 - 20
	}
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/16, float64(y)/16
			x0, y0 := int(fx), int(fy)
			dx, dy := fx-float64(x0), fy-float64(y0)
			n := grid[y0*gw+x0]*(1-dx)*(1-dy) + grid[y0*gw+x0+1]*dx*(1-dy) +
				grid[(y0+1)*gw+x0]*(1-dx)*dy + grid[(y0+1)*gw+x0+1]*dx*dy
			n += rng.Float64()*10 - 5
			for k := range 3 {
				c.bg[(y*w+x)*3+k] = clampU8(base[k] + n)
			}
		}
	}
	// Court lines (white) and the net (dark band with a white top).
	lw := max(1, w/256)
	line := func(x0, y0, x1, y1 int) {
		for y := max(y0, 0); y <= min(y1, h-1); y++ {
			for x := max(x0, 0); x <= min(x1, w-1); x++ {
				c.bg[(y*w+x)*3], c.bg[(y*w+x)*3+1], c.bg[(y*w+x)*3+2] = 235, 235, 225
			}
		}
	}
	top, bot, left, right := h*55/100, h*95/100, w/10, w*9/10
	line(left, top, right, top+lw)
	line(left, bot, right, bot+lw)
	line(left, top, left+lw, bot)
	line(right, top, right+lw, bot)
	line(w/2, top, w/2+lw, bot)
	netTop := h * 35 / 100
	for y := netTop; y < top; y++ {
		for x := w/2 - lw; x <= w/2+lw; x++ {
			c.bg[(y*w+x)*3], c.bg[(y*w+x)*3+1], c.bg[(y*w+x)*3+2] = 40, 40, 40
		}
	}
	line(left, netTop, right, netTop+lw)
	for range 4 {
		pw, ph := float64(w)*(0.04+0.02*rng.Float64()), float64(h)*(0.2+0.1*rng.Float64())
		c.players = append(c.players, player{
			x: float64(left) + rng.Float64()*float64(right-left), y: float64(top) - ph*0.3 + rng.Float64()*float64(bot-top)*0.5,
			vx: (rng.Float64() - 0.5) * float64(w) / 200, w: pw, h: ph,
			col: [3]uint8{uint8(rng.IntN(80)), uint8(rng.IntN(80)), uint8(80 + rng.IntN(120))},
		})
	}
	return c
}

func clampU8(v float64) uint8 { return uint8(min(max(math.Round(v), 0), 255)) }

// writeRally renders one ball flight; it returns the number of visible frames.
func writeRally(mdir, rally string, c *court, cfg GenerateConfig, rng *rand.Rand) (int, error) {
	w, h, n := cfg.Width, cfg.Height, cfg.FramesPerRally
	inDir := filepath.Join(mdir, "inputs", rally)
	hmDir := filepath.Join(mdir, "heatmaps", rally)
	lbDir := filepath.Join(mdir, "labels")
	for _, d := range []string{inDir, hmDir, lbDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return 0, err
		}
	}
	scale := float64(w) / 512
	radius := math.Max(1.5, 4*scale)
	// Flight: launched from one side toward the other, gravity, bounces on the floor.
	x, y := float64(w)*(0.05+0.2*rng.Float64()), float64(h)*(0.3+0.4*rng.Float64())
	vx := float64(w) * (0.008 + 0.012*rng.Float64())
	if rng.IntN(2) == 0 {
		x, vx = float64(w)-x, -vx
	}
	vy := -float64(h) * (0.01 + 0.03*rng.Float64())
	g := float64(h) * 0.0025
	floor := float64(h) * 0.92
	// Random occlusion runs.
	hidden := make([]bool, n)
	for i := 0; i < n; i++ {
		if rng.Float64() < cfg.OccludedFraction/3 {
			for k := i; k < min(i+3, n); k++ {
				hidden[k] = true
			}
			i += 2
		}
	}
	players := append([]player(nil), c.players...)
	csv := "Frame,Visibility,X,Y\n"
	visible := 0
	frame := make([]uint8, w*h*3)
	for i := range n {
		copy(frame, c.bg)
		label := Label{Frame: i, Visibility: 1, X: x, Y: y}
		if x < 0 || x >= float64(w) || y < 0 || y >= float64(h) || hidden[i] {
			label.Visibility = 0
		}
		if label.Visibility == 1 {
			drawBall(frame, w, h, x, y, radius)
		}
		for pi := range players {
			p := &players[pi]
			if label.Visibility == 1 && x >= p.x && x < p.x+p.w && y >= p.y && y < p.y+p.h {
				label.Visibility = 0 // Behind a player.
			}
			for py := max(int(p.y), 0); py < min(int(p.y+p.h), h); py++ {
				for px := max(int(p.x), 0); px < min(int(p.x+p.w), w); px++ {
					o := (py*w + px) * 3
					frame[o], frame[o+1], frame[o+2] = p.col[0], p.col[1], p.col[2]
				}
			}
			p.x += p.vx
			if p.x < 0 || p.x+p.w > float64(w) {
				p.vx = -p.vx
			}
		}
		// Sensor noise.
		for k := range frame {
			if rng.IntN(4) == 0 {
				frame[k] = clampU8(float64(frame[k]) + rng.NormFloat64()*4)
			}
		}
		if label.Visibility == 0 {
			label.X, label.Y = 0, 0
		} else {
			visible++
		}
		name := strconv.Itoa(i) + cfg.Ext
		if err := WriteImage(filepath.Join(inDir, name), frame, h, w, 3); err != nil {
			return 0, err
		}
		if err := WriteImage(filepath.Join(hmDir, name), Heatmap(label, h, w, cfg.Sigma), h, w, 1); err != nil {
			return 0, err
		}
		if label.Visibility == 1 {
			csv += fmt.Sprintf("%d,1,%.2f,%.2f\n", i, label.X, label.Y)
		} else {
			csv += fmt.Sprintf("%d,0,0,0\n", i)
		}
		x += vx
		y += vy
		vy += g
		if y > floor && vy > 0 {
			y = 2*floor - y
			vy = -vy * 0.7
		}
	}
	return visible, os.WriteFile(filepath.Join(lbDir, rally+".csv"), []byte(csv), 0o644)
}

// drawBall draws an anti-aliased bright yellow-white disc.
func drawBall(frame []uint8, w, h int, cx, cy, r float64) {
	col := [3]float64{250, 245, 170}
	for y := max(int(cy-r-1), 0); y <= min(int(cy+r+1), h-1); y++ {
		for x := max(int(cx-r-1), 0); x <= min(int(cx+r+1), w-1); x++ {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			a := min(max(r+0.5-d, 0), 1)
			if a == 0 {
				continue
			}
			o := (y*w + x) * 3
			for k := range 3 {
				frame[o+k] = clampU8(float64(frame[o+k])*(1-a) + col[k]*a)
			}
		}
	}
}
