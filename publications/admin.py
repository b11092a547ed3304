from django.contrib import admin

from .models import Author, Authorship, Coverage, DownloadCount, Publication, Topic

admin.site.register([Author, Topic, Publication, Authorship, Coverage, DownloadCount])
