"""A size limit applied while an upload's bytes arrive, for forms that take several files at once.

Django writes each uploaded file to a temporary file before the view runs, so a view can only refuse an
oversize file after all of it has been received and stored. Put first among the request's upload
handlers (before anything reads request.POST or request.FILES), `UploadSizeLimit` skips a file as soon
as it passes MEDIA_MAX_UPLOAD_BYTES: none of the rest of it is stored, the other files of the request
are kept, and the skipped file's name is in `refused` for the view to report."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class UploadSizeLimit(FileUploadHandler):
    def __init__(self, request=None, limit=None):
        super().__init__(request)
        self.limit = settings.MEDIA_MAX_UPLOAD_BYTES if limit is None else limit
        self.refused = []
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.refused.append(self.file_name)
            raise SkipFile()
        return raw_data  # on to the next handler, which stores it

    def file_complete(self, file_size):
        return None  # the next handler makes the file
