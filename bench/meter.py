"""What a measured phase costs: wall time, SQL queries, peak memory, where they go; profiles.

Queries are counted by wrapping ``odoo.sql_db.Cursor.execute`` only while a
phase is measured (every cursor of the process, savepoints included; a
commit is not a query). Memory is the process's resident set size: the
phase's peak (the kernel's VmHWM, reset when the phase starts; where the
kernel keeps none, /proc/self/statm sampled every 5 ms by a thread), and its
growth over the size before the phase. Each phase runs in a fresh process,
so the growth belongs to that phase alone.

Where time and queries go (Breakdown): the methods of BREAKDOWN are wrapped
at run time, in the measuring process only (the add-ons are not changed),
on the registry's model classes; each call's time is exclusive (what its
wrapped callees took goes to them) and each query belongs to the innermost
wrapped call running when it is executed; the rest is "other".
"""
import collections
import contextlib
import cProfile
import functools
import io
import os
import pstats
import re
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
MODULE_DIR = os.sep + "backflush_mrp" + os.sep
# Odoo's machinery: a query is attributed to the nearest frame outside these
PLUMBING = tuple(os.sep + os.path.join("odoo", name) for name in (
    "models.py", "fields.py", "api.py", "sql_db.py", "osv" + os.sep, "tools" + os.sep,
    "modules" + os.sep, os.path.join("addons", "base", "ir") + os.sep,
    os.path.join("addons", "mail", "models", "mail_thread.py"),
    os.path.join("addons", "decimal_precision")))
_TABLE = re.compile(r'\b(?:from|into|update)\s+"?(\w+)"?', re.IGNORECASE)


# where a phase's time and queries go: (bucket, model, method); the innermost wrapped call
# running gets them. A model or method that does not exist in the database is skipped.
BREAKDOWN = (
    ("reservation release", "stock.move", "_do_unreserve"),
    ("reservation release", "stock.move.line", "unlink"),
    ("reservation release", "stock.quant", "_update_reserved_quantity"),
    ("stock moves", "stock.move", "_action_done"),
    ("stock moves", "stock.move.line", "_action_done"),
    ("stock moves", "stock.move", "_generate_consumed_move_line"),
    ("stock moves", "backflush.move.writer", "_bulk_stock"),
    ("stock moves", "backflush.move.writer", "_write_quants"),
    ("stock moves", "backflush.move.writer", "_write_lines"),
    ("stock moves", "backflush.move.writer", "_write_moves"),
    ("valuation", "stock.move", "_run_valuation"),
    ("valuation", "stock.move", "_account_entry_move"),
    ("valuation", "backflush.move.writer", "_bulk_valuation"),
    ("valuation", "backflush.move.writer", "_bulk_entries"),
    ("valuation", "backflush.move.writer", "_write_entries"),
    ("valuation", "backflush.move.writer", "_write_prices"),
    ("settlement", "backflush.settlement", "settle"),
    ("logs", "backflush.log", "record_many"),
    ("logs", "backflush.log", "record"),
)
OTHER = "other"
BUCKETS = tuple(sorted({row[0] for row in BREAKDOWN}, key=[row[0] for row in BREAKDOWN]
                       .index)) + (OTHER,)


def rss_bytes():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


def _reset_peak_rss():
    """Reset the kernel's record of the process's peak resident size (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return _peak_rss() is not None
    except OSError:
        return False


def _peak_rss():
    """The process's peak resident size since the last reset (VmHWM), or None."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class RssSampler:
    """Peak resident set size while the context is open.

    Where the kernel keeps the peak (VmHWM, reset on entry), it is read on
    exit, exactly and at no cost to the measured code. Elsewhere a thread
    samples the size every 5 ms: a thread that wakes that often takes the
    interpreter lock from the measured code at every wake, which slows a
    long phase down by a few per cent, so it is the fallback only.
    A thread also samples the machine's 1-minute load average every second
    (others' work on a shared machine slows a phase down: the report shows
    it), and with heartbeat calls heartbeat(seconds, rss) every
    heartbeat_every seconds (progress of a long phase).
    """

    SAMPLE_EVERY = 0.005
    LOAD_EVERY = 1.0

    def __init__(self, heartbeat=None, heartbeat_every=60.0):
        self.interval = self.SAMPLE_EVERY
        self.before = self.peak = 0
        self.kernel_peak = False
        self.loads = []
        self.heartbeat, self.heartbeat_every = heartbeat, heartbeat_every
        self._stop = threading.Event()
        self._thread = None

    def _sample(self):
        start = last = last_load = time.monotonic()
        while not self._stop.wait(self.interval):
            rss = rss_bytes()
            self.peak = max(self.peak, rss)
            now = time.monotonic()
            if now - last_load >= self.LOAD_EVERY:
                last_load = now
                self.loads.append(os.getloadavg()[0])
            if self.heartbeat and now - last >= self.heartbeat_every:
                last = now
                self.heartbeat(now - start, rss)

    @property
    def load(self):
        return sum(self.loads) / len(self.loads)

    def __enter__(self):
        self.before = self.peak = rss_bytes()
        self.kernel_peak = _reset_peak_rss()
        self.interval = self.LOAD_EVERY if self.kernel_peak else self.SAMPLE_EVERY
        self.loads = [os.getloadavg()[0]]
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(), (self.kernel_peak and _peak_rss()) or 0)
        self.loads.append(os.getloadavg()[0])


def sql_key(query):
    """'SELECT stock_move', 'INSERT account_move_line', 'SAVEPOINT' ..."""
    text = query if isinstance(query, str) else str(query)
    verb = (text.lstrip().split(None, 1) or ["?"])[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    match = _TABLE.search(text)
    return "%s %s" % (verb, match.group(1) if match else "")


def _callers(frame):
    """(module frames outermost first, nearest business frame) of a query."""
    module, business = [], None
    while frame is not None:
        path = frame.f_code.co_filename
        if MODULE_DIR in path:
            module.append(frame)
            if business is None:
                business = frame
        elif business is None and os.sep + "odoo" + os.sep in path \
                and not any(part in path for part in PLUMBING):
            business = frame
        frame = frame.f_back
    module.reverse()
    return module, business


def _where(frame):
    path = frame.f_code.co_filename
    marker = MODULE_DIR if MODULE_DIR in path else os.sep + "addons" + os.sep
    short = path.split(marker, 1)[-1] if marker in path else os.path.basename(path)
    prefix = "backflush_mrp/" if marker == MODULE_DIR else ""
    return "%s%s:%d %s" % (prefix, short, frame.f_lineno, frame.f_code.co_name)


# the module's entry points and posting loops, outermost first: a query belongs to
# the step below the deepest of them on its stack
ANCHORS = ("_cron_backflush_periodic", "button_mark_done", "do_produce", "post_batch",
           "post_chunk", "_post_chunk_at_once", "post", "_post_one")


def _step(module_frames):
    """The posting step a query belongs to: what the deepest posting loop called."""
    names = [frame.f_code.co_name for frame in module_frames]
    if not names:
        return "(no backflush_mrp frame: Odoo core)"
    deepest = max((index for index, name in enumerate(names) if name in ANCHORS), default=None)
    if deepest is None:
        return " > ".join(names[:3])
    below = names[deepest + 1:deepest + 3]
    if not below:
        return "%s (itself, or Odoo code it calls)" % names[deepest]
    return " > ".join([names[deepest]] + below)


def model_classes(env, table=BREAKDOWN):
    """{model: the registry's class of model} for the models of table in env's database."""
    return {model: type(env[model]) for model in {row[1] for row in table} if model in env}


class Breakdown:
    """Exclusive time and queries per bucket of table while open; see the module's docstring.

    classes: {model name: class}; each (model, method) of table whose model
    and method exist is wrapped on that class, and the classes are restored
    on exit. With Odoo, model_classes gives the registry's class of each
    model (the class every record of it belongs to). The calls through super() inside a
    method's chain are not counted again; a wrapped method that calls another
    wrapped one (itself included, on other records) gives that one its time.
    Queries are counted by QueryCounter, which calls count_query.
    """

    _MISSING = object()

    def __init__(self, classes, table=BREAKDOWN):
        self.classes = classes
        self.table = table
        self.seconds = collections.Counter()
        self.queries = collections.Counter()
        self.calls = collections.Counter()
        self.wrapped = []   # [(class, method name, its own attribute or _MISSING)]
        self._stack = []    # one [bucket, seconds of wrapped callees] per running call
        self._start = None

    def __enter__(self):
        for bucket, model, method in self.table:
            cls = self.classes.get(model)
            if cls is None or not hasattr(cls, method) or any(
                    (cls, method) == (done[0], done[1]) for done in self.wrapped):
                continue
            self.wrapped.append((cls, method, cls.__dict__.get(method, self._MISSING)))
            setattr(cls, method, self._wrap(bucket, getattr(cls, method)))
        self._start = time.perf_counter()
        return self

    def _wrap(self, bucket, original):
        stack, seconds, calls = self._stack, self.seconds, self.calls

        @functools.wraps(original)   # keeps Odoo's api decorations (__dict__)
        def wrapper(*args, **kwargs):
            frame = [bucket, 0.0]
            stack.append(frame)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                stack.pop()
                seconds[bucket] += elapsed - frame[1]
                calls[bucket] += 1
                if stack:
                    stack[-1][1] += elapsed
        return wrapper

    def count_query(self):
        self.queries[self._stack[-1][0] if self._stack else OTHER] += 1

    def __exit__(self, *exc):
        total = time.perf_counter() - self._start
        for cls, method, own in reversed(self.wrapped):
            if own is self._MISSING:
                delattr(cls, method)
            else:
                setattr(cls, method, own)
        self.wrapped = []
        self.seconds[OTHER] = max(0.0, total - sum(
            value for bucket, value in self.seconds.items() if bucket != OTHER))

    def result(self):
        """{bucket: {'seconds', 'queries', 'calls'}} for every bucket, 'other' last."""
        buckets = [bucket for bucket in BUCKETS if bucket != OTHER]
        buckets += sorted({row[0] for row in self.table} - set(buckets)) + [OTHER]
        return {bucket: {"seconds": self.seconds[bucket], "queries": self.queries[bucket],
                         "calls": self.calls[bucket]} for bucket in buckets}


class QueryCounter:
    """Count every query of the process while open; with attribute, say where each comes from.

    breakdown: a Breakdown told of every query.
    """

    def __init__(self, attribute=False, breakdown=None):
        self.attribute = attribute
        self.breakdown = breakdown
        self.count = 0
        self.by_sql = collections.Counter()
        self.by_step = collections.Counter()
        self.by_module_line = collections.Counter()
        self.by_caller = collections.Counter()
        self._original = None

    def __enter__(self):
        from odoo import sql_db
        self._original = original = sql_db.Cursor.execute
        counter = self

        def execute(cr, query, params=None, log_exceptions=None):
            counter.count += 1
            if counter.breakdown is not None:
                counter.breakdown.count_query()
            if counter.attribute:
                counter._attribute(query)
            return original(cr, query, params, log_exceptions)

        sql_db.Cursor.execute = execute
        return self

    def __exit__(self, *exc):
        from odoo import sql_db
        sql_db.Cursor.execute = self._original

    def _attribute(self, query):
        self.by_sql[sql_key(query)] += 1
        module_frames, business = _callers(sys._getframe(2))
        self.by_step[_step(module_frames)] += 1
        if module_frames:
            self.by_module_line[_where(module_frames[-1])] += 1
        self.by_caller[_where(business) if business else "(unknown)"] += 1


@contextlib.contextmanager
def measure(result, env=None):
    """Fill result with seconds, queries, rss_before, rss_peak of the block.

    With env, result['breakdown'] says where they went (Breakdown; the
    wrapped calls cost two clock reads each). A line on stderr every minute
    tells how far a long phase got.
    """
    breakdown = Breakdown(model_classes(env)) if env is not None else None
    queries = QueryCounter(breakdown=breakdown)

    def heartbeat(seconds, rss):
        print("bench:   measuring: %.0f s, %d queries, RSS %.0f MB"
              % (seconds, queries.count, rss / 1024 ** 2), file=sys.stderr, flush=True)

    with RssSampler(heartbeat=heartbeat) as rss, queries, \
            (breakdown if breakdown is not None else contextlib.ExitStack()):
        start = time.perf_counter()
        yield result
        result["seconds"] = time.perf_counter() - start
    result.update(queries=queries.count, rss_before=rss.before, rss_peak=rss.peak,
                  load=rss.load)
    if breakdown is not None:
        result["breakdown"] = breakdown.result()


@contextlib.contextmanager
def profile(result, top=15):
    """Fill result['profile'] with where the block's queries and time go (not timed)."""
    profiler = cProfile.Profile()
    with QueryCounter(attribute=True) as queries:
        profiler.enable()
        yield result
        profiler.disable()
    result["profile"] = {
        "queries": queries.count,
        "by_step": queries.by_step.most_common(top),
        "by_sql": queries.by_sql.most_common(top),
        "by_module_line": queries.by_module_line.most_common(top),
        "by_caller": queries.by_caller.most_common(top),
        "time_module": _profile_text(profiler, "cumulative", MODULE_DIR.strip(os.sep), top),
        "time_all": _profile_text(profiler, "tottime", None, top),
    }


def _profile_text(profiler, sort, restrict, top):
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort)
    if restrict:
        stats.print_stats(restrict, top)
    else:
        stats.print_stats(top)
    text = out.getvalue()
    # keep the table only: from the column header on
    start = text.find("   ncalls")
    return text[start:] if start >= 0 else text
