package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("im.palisade.client")
	w := a.NewWindow("Palisade")
	w.SetContent(widget.NewLabel("Palisade"))
	w.ShowAndRun()
}
