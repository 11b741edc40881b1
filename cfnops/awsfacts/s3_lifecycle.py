"""S3 lifecycle transitions and object size: by default (``all_storage_classes_128K``) "Objects
smaller than 128 KB will not transition to any storage class"; with ``varies_by_storage_class``
they "will transition to Glacier Flexible Retrieval or Glacier Deep Archive storage classes"
(the other classes still refuse them). Most load-balancer log objects are smaller than that."""

from __future__ import annotations

URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-lifecycleconfiguration.html"
MINIMUM_BYTES = 128 * 1024  # what no transition takes by default
SMALL_OBJECTS_TO_GLACIER = "varies_by_storage_class"  # TransitionDefaultMinimumObjectSize
# the storage classes that take objects under 128 KB with SMALL_OBJECTS_TO_GLACIER
TAKE_SMALL_OBJECTS = frozenset({"GLACIER", "DEEP_ARCHIVE"})
