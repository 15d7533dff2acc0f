"""Demo units and staff: a real province's centre, its communes and its main agencies.

Unit codes follow the national identifier scheme (QĐ 20/2020/QĐ-TTg) in spirit:
``000.<agency>.<number>.H<province>``; the provincial centre is ``000.00.01.H56``.
"""

from collections.abc import Iterator

from vietnam_provinces import Province, Ward

CENTRE_NUMBER = 1

# Addresses are only known for the demo province; others get the province's name.
CENTRE_ADDRESSES = {
    56: "Số 01 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
}
CENTRE_PHONES = {56: "0258 3560 777"}

# (key, number, name, short name, departments); "{province}" becomes "tỉnh Khánh Hòa".
# Since 01/03/2025 Sở Tài chính took over Sở Kế hoạch và Đầu tư, Sở Nội vụ took over Sở Lao
# động - Thương binh và Xã hội, and Sở Nông nghiệp và Môi trường merged agriculture with natural
# resources.
AGENCIES: tuple[tuple[str, int, str, str, tuple[str, ...]], ...] = (
    ("tu_phap", 2, "Sở Tư pháp {province}", "Sở Tư pháp", ("Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp")),
    (
        "tai_chinh",
        3,
        "Sở Tài chính {province}",
        "Sở Tài chính",
        ("Phòng Đăng ký kinh doanh", "Phòng Quản lý đầu tư"),
    ),
    (
        "nong_nghiep",
        4,
        "Sở Nông nghiệp và Môi trường {province}",
        "Sở Nông nghiệp và Môi trường",
        ("Văn phòng Đăng ký đất đai", "Phòng Quản lý đất đai"),
    ),
    ("xay_dung", 5, "Sở Xây dựng {province}", "Sở Xây dựng", ("Phòng Quản lý hoạt động xây dựng",)),
    ("y_te", 6, "Sở Y tế {province}", "Sở Y tế", ("Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược")),
    (
        "giao_duc",
        7,
        "Sở Giáo dục và Đào tạo {province}",
        "Sở Giáo dục và Đào tạo",
        ("Phòng Giáo dục phổ thông", "Phòng Quản lý chất lượng"),
    ),
    (
        "noi_vu",
        8,
        "Sở Nội vụ {province}",
        "Sở Nội vụ",
        ("Phòng Người có công", "Phòng Tổ chức, biên chế và tổ chức phi chính phủ"),
    ),
    ("cong_thuong", 9, "Sở Công Thương {province}", "Sở Công Thương", ("Phòng Quản lý thương mại",)),
    (
        "van_hoa",
        10,
        "Sở Văn hóa, Thể thao và Du lịch {province}",
        "Sở Văn hóa, Thể thao và Du lịch",
        ("Phòng Quản lý văn hóa", "Phòng Quản lý du lịch"),
    ),
    (
        "cong_an",
        11,
        "Công an {province}",
        "Công an tỉnh",
        ("Phòng Cảnh sát quản lý hành chính về trật tự xã hội",),
    ),
)

# (username, family name, given names, role, where, title). `where` is "centre", "commune"
# (the province's first commune centre) or an agency key.
STAFF: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("motcua.tiepnhan", "Nguyễn", "Thị Thu Hà", "counter_clerk", "centre", "Cán bộ tiếp nhận"),
    ("motcua.chuyenvien", "Trần", "Minh Khoa", "specialist", "tu_phap", "Chuyên viên"),
    ("motcua.lanhdao", "Lê", "Văn Hùng", "unit_leader", "tu_phap", "Phó Giám đốc Sở"),
    ("motcua.giamsat", "Phạm", "Thị Lan Anh", "supervisor", "centre", "Phó Giám đốc Trung tâm"),
    ("motcua.quantri", "Võ", "Quốc Bảo", "admin", "centre", "Quản trị hệ thống"),
    ("motcua.xa.tiepnhan", "Đặng", "Thị Mỹ Linh", "counter_clerk", "commune", "Cán bộ tiếp nhận"),
    ("motcua.xa.chuyenvien", "Huỳnh", "Văn Tâm", "specialist", "commune", "Công chức Tư pháp - Hộ tịch"),
    ("motcua.xa.lanhdao", "Ngô", "Thanh Sơn", "unit_leader", "commune", "Phó Chủ tịch UBND"),
    ("motcua.chuyenvien.tc", "Bùi", "Ngọc Trâm", "specialist", "tai_chinh", "Chuyên viên"),
)
# Roles that use the Django admin.
ADMIN_SITE_ROLES = {"supervisor", "admin"}


def unit_code(*, province_code: int, number: int, agency: int = 0) -> str:
    return f"000.{agency:02d}.{number:02d}.H{province_code:02d}"


def commune_code(*, province_code: int, ward_code: int) -> str:
    return f"{ward_code:05d}.H{province_code:02d}"


def province_label(province: Province) -> str:
    """ "tỉnh Khánh Hòa", or "thành phố Hà Nội" for the centrally-run cities."""
    if province.name.startswith("Thành phố "):
        return "thành phố " + province.name.removeprefix("Thành phố ")
    return f"tỉnh {province.name}"


def centre_fields(province: Province) -> dict:
    code = int(province.code)
    return {
        "name": f"Trung tâm Phục vụ hành chính công {province_label(province)}",
        "short_name": "Trung tâm PVHCC tỉnh",
        "kind": "centre",
        "level": "province",
        "province_code": code,
        "address": CENTRE_ADDRESSES.get(code, province.name),
        "phone": CENTRE_PHONES.get(code, ""),
    }


def communes(province: Province) -> Iterator[Ward]:
    return Ward.iter_by_province(province.code)


def commune_fields(ward: Ward, province: Province) -> dict:
    return {
        "name": f"Trung tâm Phục vụ hành chính công {ward.name}",
        "short_name": ward.name,
        "kind": "centre",
        "level": "commune",
        "province_code": int(province.code),
        "ward_code": int(ward.code),
        "address": f"Trụ sở UBND {ward.name}, {province_label(province)}",
    }
