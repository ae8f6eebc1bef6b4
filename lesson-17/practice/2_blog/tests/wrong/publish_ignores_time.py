"""publish stamps the post with the time it is saved, not the time it is given: posts
written ahead or imported from elsewhere land on the front page in the wrong place."""

from datetime import datetime

from blog_models import Post

CAUGHT_BY = "test_generated_calls_match_the_reference"


def publish(session, author_name, title, body, published):
    post = Post(
        author=author_named(session, author_name),  # noqa: F821
        title=title,
        body=body,
        published=datetime.now().replace(microsecond=0),
    )
    session.add(post)
    session.commit()
    return post
