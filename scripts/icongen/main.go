package main

import (
	"flag"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const (
	size = 512
	ss   = 4 // supersampling per axis
)

type rgba struct{ r, g, b, a float64 }

func over(dst, src rgba) rgba {
	a := src.a + dst.a*(1-src.a)
	if a == 0 {
		return rgba{}
	}
	mix := func(d, s float64) float64 { return (s*src.a + d*dst.a*(1-src.a)) / a }
	return rgba{mix(dst.r, src.r), mix(dst.g, src.g), mix(dst.b, src.b), a}
}

func hex(v uint32, a float64) rgba {
	return rgba{float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255, a}
}

func lerp(a, b rgba, t float64) rgba {
	return rgba{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t, a.a + (b.a-a.a)*t}
}

// roundedSquare: the icon's background tile.
func roundedSquare(x, y, margin, radius float64) bool {
	lo, hi := margin, size-margin
	if x < lo || x > hi || y < lo || y > hi {
		return false
	}
	cx := math.Max(lo+radius, math.Min(x, hi-radius))
	cy := math.Max(lo+radius, math.Min(y, hi-radius))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= radius*radius
}

// shield: flat top with rounded corners, straight sides down to mid, then
// curving to a point at the bottom.
type shield struct{ cx, top, mid, tip, half, corner float64 }

func (s shield) inside(x, y float64) bool {
	if y < s.top || y > s.tip {
		return false
	}
	dx := math.Abs(x - s.cx)
	if y <= s.mid {
		if dx > s.half {
			return false
		}
		// rounded top corners
		if y < s.top+s.corner && dx > s.half-s.corner {
			ox, oy := dx-(s.half-s.corner), y-(s.top+s.corner)
			return ox*ox+oy*oy <= s.corner*s.corner
		}
		return true
	}
	t := (y - s.mid) / (s.tip - s.mid)
	w := s.half * (1 - math.Pow(t, 1.9))
	return dx <= w
}

func (s shield) inset(d float64) shield {
	return shield{s.cx, s.top + d, s.mid, s.tip - d*1.7, s.half - d, math.Max(s.corner-d, 2)}
}

// stake: a vertical plank with a pointed top.
type stake struct{ cx, half, shoulder, point float64 }

func (k stake) inside(x, y float64) bool {
	dx := math.Abs(x - k.cx)
	if dx > k.half || y < k.point {
		return false
	}
	if y >= k.shoulder {
		return true
	}
	return dx <= k.half*(y-k.point)/(k.shoulder-k.point)
}

func main() {
	out := flag.String("o", "assets/icon.png", "output PNG")
	flag.Parse()

	outer := shield{cx: 256, top: 92, mid: 262, tip: 446, half: 156, corner: 26}
	inner := outer.inset(20)
	clip := inner.inset(14) // the stakes keep this margin from the inner edge
	var stakes []stake
	const n, w, gap = 5, 36.0, 13.0
	left := 256 - (n*w+(n-1)*gap)/2
	for i := 0; i < n; i++ {
		lift := []float64{0, 14, 24, 14, 0}[i]
		cx := left + w/2 + float64(i)*(w+gap)
		stakes = append(stakes, stake{cx: cx, half: w / 2, shoulder: 196 - lift, point: 160 - lift})
	}

	bgTop, bgBottom := hex(0x2563eb, 1), hex(0x1e3a8a, 1)
	white := hex(0xf8fafc, 1)
	innerTop, innerBottom := hex(0x1e40af, 1), hex(0x172554, 1)
	shadow := hex(0x0b1437, 0.35)

	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var acc rgba
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					c := rgba{}
					if roundedSquare(x, y, 16, 100) {
						c = over(c, lerp(bgTop, bgBottom, y/size))
						if outer.inside(x-4, y-10) { // soft offset shadow
							c = over(c, shadow)
						}
					}
					if outer.inside(x, y) {
						c = over(c, white)
					}
					if inner.inside(x, y) {
						c = over(c, lerp(innerTop, innerBottom, (y-inner.top)/(inner.tip-inner.top)))
						for _, k := range stakes {
							if k.inside(x, y) && clip.insideBelowTop(x, y) {
								c = over(c, white)
								break
							}
						}
					}
					acc.r += c.r * c.a
					acc.g += c.g * c.a
					acc.b += c.b * c.a
					acc.a += c.a
				}
			}
			n := float64(ss * ss)
			if acc.a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(acc.r / acc.a * 255)),
				G: uint8(math.Round(acc.g / acc.a * 255)),
				B: uint8(math.Round(acc.b / acc.a * 255)),
				A: uint8(math.Round(acc.a / n * 255)),
			})
		}
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// insideBelowTop is inside() without the top edge, so the stake points may
// rise above the clip shield's top while the sides and bottom still clip.
func (s shield) insideBelowTop(x, y float64) bool {
	if y < s.top {
		y = s.top
	}
	return s.inside(x, y)
}
