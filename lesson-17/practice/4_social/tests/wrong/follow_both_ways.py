"""follow writes the follow both ways (follower -> followee and followee -> follower), as
if following were mutual: the followee now follows back without asking."""

from social_models import Follow

CAUGHT_BY = "test_follow"


def follow(follower, followee):
    Follow(follower, followee).save()
    Follow(followee, follower).save()
