"""core.bulk.gc_paused: the collector is off during a batch and on after it; the objects the batch made and still
holds go to the oldest generation without a pass over them, unless objects are frozen (a gunicorn worker froze the
loaded app, config/wsgi.py), which must stay frozen."""

import gc

from core.bulk import gc_paused


class Row:
    pass


def test_objects_made_in_a_batch_skip_the_young_generations():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        rows = [Row() for _ in range(1000)]
    assert gc.isenabled()
    young = {id(o) for o in gc.get_objects(generation=0)} | {id(o) for o in gc.get_objects(generation=1)}
    assert not any(id(row) in young for row in rows)
    assert any(o is rows[0] for o in gc.get_objects(generation=2))


def test_frozen_objects_stay_frozen():
    sentinel = Row()
    gc.freeze()
    try:
        with gc_paused():
            rows = [Row() for _ in range(1000)]
        assert gc.get_freeze_count()
        assert not any(o is sentinel for o in gc.get_objects())  # still in the permanent generation
        assert gc.isenabled()
        young = [*gc.get_objects(generation=0), *gc.get_objects(generation=1)]
        assert any(o is rows[0] for o in young)
    finally:
        gc.unfreeze()


def test_nested_pauses_resume_once_at_the_outermost():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
