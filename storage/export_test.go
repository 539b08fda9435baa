package storage

// PipelinedCommits returns how many transactions the pipelined PostgreSQL paths (CreateDeal
// and Transition outside a caller's transaction) have committed in this process.
func PipelinedCommits() int64 { return pipelinedCommits.Load() }
