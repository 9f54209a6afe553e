"""S3 access: the only place that imports aioboto3."""

from libs.storage.media import content_disposition, content_type
from libs.storage.s3 import ObjectInfo, ObjectStore

__all__ = ["ObjectInfo", "ObjectStore", "content_disposition", "content_type"]
