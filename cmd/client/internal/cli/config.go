package cli

import "github.com/palisade-im/palisade/session"

// sessionConfig builds the session configuration for headless mode. The
// password is held in memory only and handed to the session on each attempt.
func sessionConfig(f Flags, dataDir, password string) session.Config {
	return session.Config{
		JID:       f.JID,
		Password:  func() (string, error) { return password, nil },
		Server:    f.Server,
		DirectTLS: f.DirectTLS,
		CAFile:    f.CAFile,
		DataDir:   dataDir,
		Tor:       torConfig(f.Tor),
		Lang:      envLang(),
	}
}
