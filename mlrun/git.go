package mlrun

import (
	"context"
	"os/exec"
	"strings"
)

// gitCommit returns the commit checked out in the git work tree holding
// dir, or "" when dir is not inside one, git is not installed, or it
// fails for any other reason (logging a run never fails because of git).
func gitCommit(ctx context.Context, dir string) string {
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "HEAD")
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(out))
	if len(s) < 40 || strings.ContainsAny(s, " \n") {
		return ""
	}
	return s
}
