"""STS as AWS answers it."""
