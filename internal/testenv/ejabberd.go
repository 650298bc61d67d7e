package testenv

import "errors"

func (s *Server) ejabberdctl(args ...string) error {
	return errors.New("testenv: ejabberd not implemented yet")
}
