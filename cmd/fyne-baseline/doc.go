// Command fyne-baseline opens an empty Fyne window titled "Fyne baseline" and
// nothing else. scripts/bench.sh measures its memory next to Palisade's, so
// that the client's own cost can be told apart from the toolkit's. It is a
// measuring tool, not shipped.
//
// This package must not import any other package of the module: it is the
// toolkit alone.
package main
