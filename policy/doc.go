// Package policy is Palisade's pure decision engine for the company's domain
// rules: it classifies any JID or domain as internal, partner, gateway,
// unknown, lookalike or blocked, and decides whether a message may be sent,
// whether an incoming first message waits in Requests, and whether a file may
// go to a contact or a group chat.
//
// The rules come from an IT-signed configuration profile (package profile
// turns a verified profile into a Rules value) or, for an unmanaged client,
// from Unmanaged. New validates and normalises them once into an Engine; the
// Engine is immutable and safe for concurrent use.
//
// Domains are normalised with IDNA (golang.org/x/net/idna) and compared in
// their ASCII form. Lookalikes of every internal and partner domain are
// detected: confusable characters (UTS #39 skeletons), mixed scripts,
// punycode, typos, hyphenation, TLD swaps and subdomain tricks.
//
// Every Decision and Verdict carries a Reason: one sentence for the user that
// names the rule and who set it. The session layer enforces the decisions and
// the UI only shows them.
//
// This package does no I/O and takes no clock: it must not import os, net,
// syscall, io/fs, Fyne, mellium, the session or the ui packages.
package policy
