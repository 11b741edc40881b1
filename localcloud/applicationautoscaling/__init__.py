"""Application Auto Scaling on localcloud: scalable targets and scaling policies created by templates."""
