package ui

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestClampWindowSize(t *testing.T) {
	for _, c := range []struct {
		name string
		w, h float64
		want fyne.Size
	}{
		{"nothing saved", 0, 0, defaultWindowSize},
		{"negative", -5, 700, defaultWindowSize},
		{"NaN", math.NaN(), 700, defaultWindowSize},
		{"absurd", 1e9, 700, defaultWindowSize},
		{"as saved", 1400, 900, fyne.NewSize(1400, 900)},
		{"too small", 100, 50, minWindowSize},
		{"too large", 20000, 20000, maxWindowSize},
		{"one side too small", 1300, 200, fyne.NewSize(1300, minWindowSize.Height)},
	} {
		if got := clampWindowSize(c.w, c.h); got != c.want {
			t.Errorf("%s: clampWindowSize(%v, %v) = %v, want %v", c.name, c.w, c.h, got, c.want)
		}
	}
}

func TestWindowSizeRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, Options{})
	if got := u.win.Canvas().Size(); got != defaultWindowSize {
		t.Errorf("first start: window %v, want the default %v", got, defaultWindowSize)
	}
	u.win.Resize(fyne.NewSize(1333, 777))
	u.closeWindow() // no backend: closes at once, after saving
	if w, h := a.Preferences().Float(prefWindowWidth), a.Preferences().Float(prefWindowHeight); w != 1333 || h != 777 {
		t.Errorf("saved %vx%v, want 1333x777", w, h)
	}

	// The next start (same preferences) opens at the saved size.
	u2 := New(a, Options{})
	if got := u2.win.Canvas().Size(); got != fyne.NewSize(1333, 777) {
		t.Errorf("second start: window %v, want 1333x777", got)
	}

	// A corrupt preference opens at the default size.
	a.Preferences().SetFloat(prefWindowWidth, -1)
	u3 := New(a, Options{})
	if got := u3.win.Canvas().Size(); got != defaultWindowSize {
		t.Errorf("after a corrupt preference: window %v, want the default", got)
	}
}
