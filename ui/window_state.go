package ui

import "fyne.io/fyne/v2"

// The window's size is kept in the app's preferences (app ID
// im.palisade.client) when the window closes, and restored at start.
// Fyne does not tell whether a window is maximised, nor the screen's size:
// a saved size is kept within minWindowSize and maxWindowSize.
const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
)

var (
	// minWindowSize is the smallest size restored: below it the roster
	// and the chat no longer fit side by side.
	minWindowSize = fyne.NewSize(640, 440)
	// maxWindowSize bounds a saved size (an 8K screen): a corrupt or
	// absurd value never opens a window larger than any screen.
	maxWindowSize = fyne.NewSize(7680, 4320)
)

// clampWindowSize is the size to open the window at for a saved width and
// height: the default when nothing (or nonsense) was saved, else the saved
// size kept within the minimum and maximum.
func clampWindowSize(w, h float64) fyne.Size {
	if !(w > 0) || !(h > 0) || w > 1e6 || h > 1e6 { // also NaN
		return defaultWindowSize
	}
	s := fyne.NewSize(float32(w), float32(h))
	s.Width = min(max(s.Width, minWindowSize.Width), maxWindowSize.Width)
	s.Height = min(max(s.Height, minWindowSize.Height), maxWindowSize.Height)
	return s
}

// savedWindowSize is the size the window had when it last closed.
func (a *App) savedWindowSize() fyne.Size {
	p := a.fyne.Preferences()
	return clampWindowSize(p.Float(prefWindowWidth), p.Float(prefWindowHeight))
}

// saveWindowSize records the window's current size for the next start.
func (a *App) saveWindowSize() {
	s := a.win.Canvas().Size()
	if s.Width < 1 || s.Height < 1 {
		return // never laid out (hidden at once): keep what was saved
	}
	p := a.fyne.Preferences()
	p.SetFloat(prefWindowWidth, float64(s.Width))
	p.SetFloat(prefWindowHeight, float64(s.Height))
}
