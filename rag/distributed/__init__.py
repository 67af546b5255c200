"""guideqa past one machine, on Ray: building an index on a cluster (build) and serving a sharded index from shard
replicas (serve). Everything else (chunking, encoding, the index format, ranking) is the single-machine code."""
