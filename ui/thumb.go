package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // thumbnails of received images, after a clean scan
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
)

// Thumbnails are made only of received images the scanner found clean,
// with the standard library's decoders, and within bounds: a file larger
// than maxThumbFile or a picture of more than maxThumbPixels is not
// decoded at all (its header says its size before any pixel is read).
const (
	maxThumbFile   = 32 << 20
	maxThumbPixels = 40_000_000
	thumbW, thumbH = 320, 200
	// maxThumbs bounds the thumbnails kept (each at most 250 KiB): the
	// oldest go first; their rows still offer Open.
	maxThumbs = 200
)

// keepThumb keeps the thumbnail of file id, forgetting the oldest when
// there are too many.
func (a *App) keepThumb(id string, img image.Image) {
	if _, ok := a.thumbs[id]; !ok {
		a.thumbOrder = append(a.thumbOrder, id)
	}
	a.thumbs[id] = img
	for len(a.thumbOrder) > maxThumbs {
		delete(a.thumbs, a.thumbOrder[0])
		a.thumbOrder = a.thumbOrder[1:]
	}
}

// thumbnail decodes the image at path and scales it down to fit
// thumbW x thumbH.
func thumbnail(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if fi.Size() > maxThumbFile {
		return nil, fmt.Errorf("too large for a preview (%s)", FormatSize(fi.Size()))
	}
	cfg, _, err := image.DecodeConfig(io.LimitReader(f, maxThumbFile))
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxThumbPixels {
		return nil, fmt.Errorf("picture too large for a preview (%dx%d)", cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(io.LimitReader(f, maxThumbFile))
	if err != nil {
		return nil, err
	}
	return scaleDown(img, thumbW, thumbH), nil
}

// scaleDown shrinks img to fit w x h, keeping its proportions, averaging a
// few samples per pixel. A smaller image is copied as it is.
func scaleDown(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if sw <= 0 || sh <= 0 {
		return nil
	}
	tw, th := sw, sh
	if tw > w {
		tw, th = w, max(1, sh*w/sw)
	}
	if th > h {
		tw, th = max(1, tw*h/th), h
	}
	dst := image.NewNRGBA(image.Rect(0, 0, tw, th))
	const samples = 4 // per axis
	for y := 0; y < th; y++ {
		y0, y1 := b.Min.Y+y*sh/th, b.Min.Y+(y+1)*sh/th
		if y1 <= y0 {
			y1 = y0 + 1
		}
		for x := 0; x < tw; x++ {
			x0, x1 := b.Min.X+x*sw/tw, b.Min.X+(x+1)*sw/tw
			if x1 <= x0 {
				x1 = x0 + 1
			}
			var r, g, bl, al, n uint64
			for i := 0; i < samples; i++ {
				sy := y0 + (y1-y0)*i/samples
				for j := 0; j < samples; j++ {
					sx := x0 + (x1-x0)*j/samples
					c := color.NRGBA64Model.Convert(img.At(sx, sy)).(color.NRGBA64)
					r, g, bl, al = r+uint64(c.R), g+uint64(c.G), bl+uint64(c.B), al+uint64(c.A)
					n++
				}
			}
			dst.SetNRGBA(x, y, color.NRGBA{R: uint8(r / n >> 8), G: uint8(g / n >> 8), B: uint8(bl / n >> 8), A: uint8(al / n >> 8)})
		}
	}
	return dst
}

// loadThumb makes the thumbnail of a clean received image away from the
// event loop (at once in tests) and shows it when it is ready, if the file
// is still the clean one.
func (a *App) loadThumb(f *FileItem) {
	if f.State != FileClean || !f.IsImage() {
		return
	}
	id, path, gen := f.ID, f.Path, a.gen
	set := func(img image.Image) {
		if gen != a.gen || img == nil {
			return
		}
		if g := a.chats.File(id); g != nil && g.State == FileClean && g.Path == path {
			a.keepThumb(id, img)
			a.fileChanged(g)
		}
	}
	if a.sync {
		img, _ := thumbnail(path)
		set(img)
		return
	}
	go func() {
		img, _ := thumbnail(path)
		a.onUI(func() { set(img) })
	}()
}
