"""Create the bucket that MEDIA_STORAGE_URL names, if it is missing (docker-compose's migrate
step runs it). Without MEDIA_STORAGE_URL it does nothing. Safe to run again."""

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.management.base import BaseCommand

from core.storage import BucketStorage


class Command(BaseCommand):
    help = "Create the bucket of MEDIA_STORAGE_URL if it does not exist yet."

    def handle(self, **options):
        if not settings.MEDIA_BUCKET:
            self.stdout.write("MEDIA_STORAGE_URL is not set: uploads stay on the local disk.")
            return
        storage = BucketStorage(**settings.MEDIA_BUCKET)
        try:
            storage.client.head_bucket(Bucket=storage.bucket_name)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] != 404:
                raise
            extra = {}
            if storage.region_name and storage.region_name != "us-east-1":
                extra["CreateBucketConfiguration"] = {"LocationConstraint": storage.region_name}
            storage.client.create_bucket(Bucket=storage.bucket_name, **extra)
            self.stdout.write(f"Bucket {storage.bucket_name} created.")
        else:
            self.stdout.write(f"Bucket {storage.bucket_name} is there.")
