package httpapi

// printRoutes registers the print map routes.
func (s *Server) printRoutes(get func(path string, h handlerFunc)) {}
