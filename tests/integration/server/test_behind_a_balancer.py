"""Two server instances on one PostgreSQL and one files folder, behind a round-robin balancer.

The laptops are given the balancer's address only; no request is tied to an instance (no
sticky sessions), so enrolment, approval, sync and a file's pieces land on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.sync.client import UPLOAD_PIECE
from clinic_app.sync.http import HttpTransport
from tests.integration.sync.test_sync_files import PASSWORD, _record_with_file
from tests.support.balancer import RoundRobinBalancer, balancing
from tests.support.sync_server import SyncServer

pytestmark = pytest.mark.timeout(300)


def _instances(postgres_url: str, tmp_path: Path, *serve_args: str) -> list[SyncServer]:
    files = tmp_path / "shared-files"
    return [
        SyncServer(postgres_url, tmp_path / f"instance-{n}.log", serve_args=serve_args, files=files)
        for n in (1, 2)
    ]


@pytest.fixture
def two_instances(postgres_url: str, tmp_path: Path) -> Iterator[list[SyncServer]]:
    instances = _instances(postgres_url, tmp_path)
    try:
        for instance in instances:
            instance.start()
        yield instances
    finally:
        for instance in instances:
            instance.stop()


def _laptop(balancer: RoundRobinBalancer, server: SyncServer, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, balancer.url, name)
    server.approve(services.context.device_id)
    return services


def test_laptops_sync_through_a_balancer_over_two_instances(
    two_instances: list[SyncServer], tmp_path: Path
) -> None:
    first, second = two_instances
    with balancing([first.url, second.url]) as balancer:
        a = _laptop(balancer, first, tmp_path / "a.db", "scan room")
        b = _laptop(balancer, second, tmp_path / "b.db", "clinic room")
        first.add_user("tom", "Tom Okafor", "sonographer", PASSWORD)
        try:
            size = 3 * UPLOAD_PIECE + 17  # four pieces
            attachment_id, data = _record_with_file(a, size, seed=11)
            a.sync.sync_now()
            b.sync.sync_now()
            tom = b.auth.login("tom", PASSWORD)
            assert b.attachments.read(tom, attachment_id) == data
        finally:
            a.close()
            b.close()

    print(f"requests per instance: {dict(balancer.hits)}")
    assert balancer.hits[first.url] >= 5
    assert balancer.hits[second.url] >= 5
    for instance in (first, second):
        assert balancer.requests[(instance.url, "POST /v1/devices")] == 1  # one enrolment each
        pieces = sum(
            count
            for (url, request), count in balancer.requests.items()
            if url == instance.url and request.startswith("PUT /v1/files/")
        )
        assert pieces >= 1, f"no piece of the file reached {instance.url}"
        assert "Traceback" not in instance.log_text()


def _enrol(balancer: RoundRobinBalancer, number: int) -> None:
    transport = HttpTransport(balancer.url)
    try:
        transport.enrol(f"00000000-0000-4000-8000-{number:012d}", f"laptop {number}")
    finally:
        transport.close()


@pytest.mark.parametrize(
    ("trusted", "second_enrols"),
    [("127.0.0.1", True), ("192.0.2.200", False)],
    ids=["balancer-trusted", "balancer-not-trusted"],
)
def test_enrolment_limits_count_the_laptop_behind_a_trusted_balancer(
    postgres_url: str, tmp_path: Path, trusted: str, second_enrols: bool
) -> None:
    # One enrolment per address: two laptops at two addresses both enrol only when the
    # instances believe the balancer's X-Forwarded-For; otherwise both are the balancer.
    instances = _instances(
        postgres_url, tmp_path, "--enrol-per-address", "1", "--forwarded-allow-ips", trusted
    )
    try:
        for instance in instances:
            instance.start()
        with balancing([i.url for i in instances]) as balancer:
            balancer.forwarded_for = "198.51.100.10"
            _enrol(balancer, 1)
            balancer.forwarded_for = "198.51.100.11"
            if second_enrols:
                _enrol(balancer, 2)
                balancer.forwarded_for = "198.51.100.10"  # the first address again: refused
            with pytest.raises(ClinicError) as refused:
                _enrol(balancer, 3)
            assert refused.value.code == "device.enrol_rate_limited"
    finally:
        for instance in instances:
            instance.stop()
