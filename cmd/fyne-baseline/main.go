package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("im.palisade.fyne-baseline")
	w := a.NewWindow("Fyne baseline")
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(960, 640))
	w.ShowAndRun()
}
