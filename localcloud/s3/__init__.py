"""S3 on localcloud: bucket policies created by templates."""
