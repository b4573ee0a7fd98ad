"""Vietnamese words the simulator draws from: procedures, people, places, document topics.

All fake but shaped like the real thing in Sóc Trăng (Kinh, Khmer and Hoa family names,
khóm as urban hamlets, provincial ID and tax-code prefixes).
"""

from __future__ import annotations

# Procedure domains with typical handling: (processing days range or None for on the spot,
# share of procedures with a fee, desk popularity weight).
DOMAIN_PROFILE: dict[str, tuple[tuple[int, int] | None, float, float]] = {
    "Hộ tịch": ((1, 5), 0.5, 6.0),
    "Chứng thực": (None, 1.0, 9.0),
    "Đất đai": ((10, 30), 0.8, 5.0),
    "Xây dựng": ((7, 20), 0.7, 3.0),
    "Quy hoạch xây dựng": ((15, 25), 0.3, 0.6),
    "Đăng ký kinh doanh": ((3, 3), 0.9, 4.0),
    "Thành lập và hoạt động của hợp tác xã": ((3, 5), 0.5, 0.4),
    "Lưu thông hàng hóa trong nước": ((10, 15), 0.9, 0.8),
    "An toàn thực phẩm": ((10, 15), 0.9, 0.6),
    "Bảo trợ xã hội": ((7, 20), 0.0, 2.5),
    "Người có công": ((5, 20), 0.0, 1.0),
    "Lao động, việc làm": ((5, 10), 0.0, 1.5),
    "Giáo dục và Đào tạo": ((5, 20), 0.0, 0.8),
    "Văn hóa": ((5, 10), 0.3, 0.5),
    "Thông tin và truyền thông": ((5, 10), 0.4, 0.3),
    "Môi trường": ((10, 20), 0.2, 0.4),
    "Nông nghiệp": ((7, 15), 0.1, 0.5),
    "Giao thông vận tải": ((5, 10), 0.5, 0.6),
    "Tư pháp": ((5, 30), 0.0, 0.3),
    "Thi đua, khen thưởng": ((15, 20), 0.0, 0.5),
    "Tín ngưỡng, tôn giáo": ((5, 15), 0.0, 0.2),
    "Giải quyết khiếu nại, tố cáo": ((30, 45), 0.0, 0.3),
    "Phòng, chống tệ nạn xã hội": ((5, 10), 0.0, 0.2),
    "Nuôi con nuôi": ((20, 30), 1.0, 0.1),
}

DISTRICT_PROCEDURES: dict[str, list[str]] = {
    "Hộ tịch": [
        "Đăng ký khai sinh có yếu tố nước ngoài",
        "Đăng ký kết hôn có yếu tố nước ngoài",
        "Đăng ký khai tử có yếu tố nước ngoài",
        "Đăng ký nhận cha, mẹ, con có yếu tố nước ngoài",
        "Đăng ký khai sinh kết hợp nhận cha, mẹ, con có yếu tố nước ngoài",
        "Đăng ký lại khai sinh có yếu tố nước ngoài",
        "Đăng ký lại kết hôn có yếu tố nước ngoài",
        "Đăng ký lại khai tử có yếu tố nước ngoài",
        "Đăng ký giám hộ có yếu tố nước ngoài",
        "Đăng ký chấm dứt giám hộ có yếu tố nước ngoài",
        "Thay đổi, cải chính, bổ sung hộ tịch, xác định lại dân tộc",
        "Ghi vào Sổ hộ tịch việc kết hôn của công dân Việt Nam đã được giải quyết tại "
        "cơ quan có thẩm quyền của nước ngoài",
        "Ghi vào Sổ hộ tịch việc ly hôn, hủy việc kết hôn của công dân Việt Nam đã được "
        "giải quyết tại cơ quan có thẩm quyền của nước ngoài",
        "Ghi vào Sổ hộ tịch việc hộ tịch khác của công dân Việt Nam đã được giải quyết tại "
        "cơ quan có thẩm quyền của nước ngoài",
        "Đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
        "Cấp bản sao trích lục hộ tịch",
    ],
    "Chứng thực": [
        "Cấp bản sao từ sổ gốc",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của "
        "nước ngoài cấp",
        "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật",
        "Chứng thực chữ ký người dịch không phải là cộng tác viên dịch thuật",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
        "Sửa lỗi sai sót trong hợp đồng, giao dịch",
        "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
        "Chứng thực di chúc",
        "Chứng thực văn bản từ chối nhận di sản",
        "Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản",
        "Chứng thực văn bản khai nhận di sản mà di sản là động sản",
    ],
    "Đất đai": [
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản "
        "khác gắn liền với đất lần đầu",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do "
        "chuyển nhượng, thừa kế, tặng cho",
        "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác "
        "gắn liền với đất",
        "Cấp lại Giấy chứng nhận hoặc cấp lại Trang bổ sung của Giấy chứng nhận do bị mất",
        "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền",
        "Tách thửa hoặc hợp thửa đất",
        "Đính chính Giấy chứng nhận đã cấp",
        "Thu hồi Giấy chứng nhận đã cấp không đúng quy định của pháp luật đất đai",
        "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
        "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
        "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp huyện",
        "Giao đất, cho thuê đất cho hộ gia đình, cá nhân",
        "Gia hạn sử dụng đất nông nghiệp của hộ gia đình, cá nhân",
        "Cung cấp dữ liệu đất đai",
        "Đăng ký biến động do đổi tên, thay đổi thông tin về người được cấp Giấy chứng nhận",
        "Chuyển đổi quyền sử dụng đất nông nghiệp của hộ gia đình, cá nhân",
        "Xóa ghi nợ tiền sử dụng đất",
        "Đăng ký xác lập quyền sử dụng hạn chế thửa đất liền kề",
    ],
    "Xây dựng": [
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với nhà ở riêng lẻ",
        "Cấp giấy phép di dời đối với công trình",
        "Điều chỉnh giấy phép xây dựng",
        "Gia hạn giấy phép xây dựng",
        "Cấp lại giấy phép xây dựng",
        "Cấp giấy phép xây dựng có thời hạn đối với nhà ở riêng lẻ",
        "Thẩm định Báo cáo kinh tế - kỹ thuật đầu tư xây dựng",
        "Thẩm định thiết kế bản vẽ thi công, dự toán xây dựng",
        "Cấp giấy phép xây dựng công trình không theo tuyến",
        "Cấp giấy phép xây dựng công trình theo tuyến trong đô thị",
        "Cấp giấy phép xây dựng công trình tín ngưỡng, tôn giáo",
        "Cấp giấy phép xây dựng công trình quảng cáo",
    ],
    "Quy hoạch xây dựng": [
        "Cấp giấy phép quy hoạch dự án đầu tư xây dựng",
        "Thẩm định nhiệm vụ, nhiệm vụ điều chỉnh quy hoạch chi tiết",
        "Thẩm định đồ án, đồ án điều chỉnh quy hoạch chi tiết",
        "Cung cấp thông tin về quy hoạch xây dựng",
    ],
    "Đăng ký kinh doanh": [
        "Đăng ký thành lập hộ kinh doanh",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Tạm ngừng hoạt động hộ kinh doanh",
        "Tiếp tục kinh doanh trước thời hạn đã thông báo",
        "Chấm dứt hoạt động hộ kinh doanh",
        "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
    ],
    "Thành lập và hoạt động của hợp tác xã": [
        "Đăng ký thành lập hợp tác xã",
        "Đăng ký thay đổi tên, địa chỉ trụ sở chính, ngành, nghề sản xuất, kinh doanh, "
        "vốn điều lệ của hợp tác xã",
        "Đăng ký thành lập chi nhánh, văn phòng đại diện, địa điểm kinh doanh của hợp tác xã",
        "Tạm ngừng hoạt động của hợp tác xã",
        "Giải thể tự nguyện hợp tác xã",
        "Cấp lại giấy chứng nhận đăng ký hợp tác xã",
        "Thông báo thay đổi nội dung đăng ký hợp tác xã",
    ],
    "Lưu thông hàng hóa trong nước": [
        "Cấp Giấy phép bán lẻ sản phẩm rượu",
        "Cấp sửa đổi, bổ sung Giấy phép bán lẻ sản phẩm rượu",
        "Cấp lại Giấy phép bán lẻ sản phẩm rượu",
        "Cấp Giấy phép bán lẻ sản phẩm thuốc lá",
        "Cấp lại Giấy phép bán lẻ sản phẩm thuốc lá",
        "Cấp Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
        "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai",
    ],
    "An toàn thực phẩm": [
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh "
        "dịch vụ ăn uống",
        "Cấp lại Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "Xác nhận kiến thức về an toàn thực phẩm cho chủ cơ sở và người trực tiếp kinh doanh",
    ],
    "Bảo trợ xã hội": [
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm "
        "sóc, nuôi dưỡng hàng tháng",
        "Chi trả trợ cấp xã hội hàng tháng khi đối tượng thay đổi nơi cư trú trong cùng "
        "địa bàn huyện",
        "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở",
        "Tiếp nhận đối tượng bảo trợ xã hội có hoàn cảnh đặc biệt khó khăn vào cơ sở trợ "
        "giúp xã hội cấp tỉnh",
        "Đăng ký thành lập cơ sở trợ giúp xã hội ngoài công lập thuộc thẩm quyền của "
        "Phòng Lao động - Thương binh và Xã hội",
        "Cấp giấy phép hoạt động đối với cơ sở trợ giúp xã hội thuộc thẩm quyền của "
        "Phòng Lao động - Thương binh và Xã hội",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "Áp dụng các biện pháp can thiệp khẩn cấp hoặc tạm thời cách ly trẻ em khỏi môi "
        "trường hoặc người gây tổn hại cho trẻ em",
    ],
    "Người có công": [
        "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
        "Giải quyết chế độ mai táng phí đối với cựu chiến binh",
        "Giải quyết chế độ ưu đãi đối với thân nhân liệt sĩ",
        "Hỗ trợ người có công với cách mạng cải thiện nhà ở",
        "Cấp giấy giới thiệu thăm viếng mộ liệt sĩ và hỗ trợ thăm viếng mộ liệt sĩ",
        "Di chuyển hài cốt liệt sĩ đang an táng tại nghĩa trang liệt sĩ đi nơi khác",
    ],
    "Lao động, việc làm": [
        "Đăng ký nội quy lao động của doanh nghiệp",
        "Hỗ trợ người lao động tạm hoãn thực hiện hợp đồng lao động, nghỉ việc không hưởng "
        "lương do đại dịch COVID-19",
        "Hỗ trợ người lao động không có giao kết hợp đồng lao động bị mất việc làm do đại "
        "dịch COVID-19",
        "Hỗ trợ hộ kinh doanh phải dừng hoạt động do đại dịch COVID-19",
        "Hỗ trợ trẻ em, người đang điều trị COVID-19, cách ly y tế",
    ],
    "Giáo dục và Đào tạo": [
        "Cho phép trường mẫu giáo, trường mầm non, nhà trẻ hoạt động giáo dục",
        "Thành lập trường tiểu học công lập, cho phép thành lập trường tiểu học tư thục",
        "Cho phép trường trung học cơ sở hoạt động giáo dục",
        "Chuyển trường đối với học sinh trung học cơ sở",
        "Tiếp nhận học sinh trung học cơ sở Việt Nam về nước",
        "Xét, duyệt chính sách hỗ trợ đối với học sinh bán trú",
        "Công nhận xã đạt chuẩn phổ cập giáo dục, xóa mù chữ",
        "Sáp nhập, chia, tách trường mầm non",
        "Giải thể trường tiểu học",
    ],
    "Văn hóa": [
        "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "Cấp Giấy phép điều chỉnh Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "Xét tặng Giấy khen Gia đình văn hóa tiêu biểu",
        "Xét tặng Giấy khen Khu dân cư văn hóa",
        "Công nhận lần đầu Cơ quan đạt chuẩn văn hóa, Đơn vị đạt chuẩn văn hóa",
        "Thông báo tổ chức lễ hội",
    ],
    "Thông tin và truyền thông": [
        "Cấp giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử "
        "công cộng",
        "Sửa đổi, bổ sung giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò "
        "chơi điện tử công cộng",
        "Gia hạn giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi "
        "điện tử công cộng",
        "Khai báo hoạt động cơ sở dịch vụ photocopy",
        "Thay đổi thông tin khai báo hoạt động cơ sở dịch vụ photocopy",
    ],
    "Môi trường": [
        "Xác nhận đăng ký kế hoạch bảo vệ môi trường",
        "Tham vấn báo cáo đánh giá tác động môi trường",
        "Đăng ký khai thác nước dưới đất",
    ],
    "Nông nghiệp": [
        "Hỗ trợ khắc phục thiệt hại do thiên tai trong sản xuất nông nghiệp",
        "Phê duyệt kế hoạch khuyến nông địa phương",
        "Hỗ trợ dự án liên kết sản xuất gắn với tiêu thụ sản phẩm",
        "Cấp Giấy xác nhận nội dung quảng cáo thuốc thú y",
    ],
    "Giao thông vận tải": [
        "Cấp phép thi công nút giao đấu nối vào đường huyện",
        "Cấp giấy phép thi công công trình đường bộ trên đường huyện",
        "Chấp thuận xây dựng công trình thiết yếu trong phạm vi bảo vệ kết cấu hạ tầng giao "
        "thông đường bộ của đường huyện",
        "Đăng ký phương tiện thủy nội địa lần đầu",
        "Đăng ký lại phương tiện thủy nội địa",
        "Xóa giấy chứng nhận đăng ký phương tiện thủy nội địa",
    ],
    "Tư pháp": [
        "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ "
        "gây thiệt hại",
        "Phục hồi danh dự",
        "Công nhận báo cáo viên pháp luật",
        "Miễn nhiệm báo cáo viên pháp luật",
    ],
    "Thi đua, khen thưởng": [
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện về thực hiện nhiệm vụ chính trị",
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện theo đợt hoặc chuyên đề",
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện về khen thưởng đột xuất",
        "Tặng danh hiệu Tập thể lao động tiên tiến",
    ],
    "Tín ngưỡng, tôn giáo": [
        "Đăng ký thay đổi người đại diện của nhóm sinh hoạt tôn giáo tập trung",
        "Thông báo danh mục hoạt động tôn giáo bổ sung đối với tổ chức có địa bàn hoạt động "
        "tôn giáo ở nhiều xã",
        "Đề nghị tổ chức cuộc lễ ngoài cơ sở tôn giáo, địa điểm hợp pháp đã đăng ký",
        "Thông báo tổ chức quyên góp ngoài địa bàn một xã của cơ sở tín ngưỡng, tổ chức tôn giáo",
    ],
    "Giải quyết khiếu nại, tố cáo": [
        "Giải quyết khiếu nại lần đầu tại cấp huyện",
        "Giải quyết khiếu nại lần hai tại cấp huyện",
        "Giải quyết tố cáo tại cấp huyện",
        "Tiếp công dân tại cấp huyện",
        "Xử lý đơn tại cấp huyện",
    ],
    "Phòng, chống tệ nạn xã hội": [
        "Hỗ trợ học văn hóa, học nghề, trợ cấp khó khăn ban đầu cho nạn nhân bị mua bán",
        "Cấp giấy phép thành lập cơ sở hỗ trợ nạn nhân",
    ],
}

COMMUNE_PROCEDURES: dict[str, list[str]] = {
    "Hộ tịch": [
        "Đăng ký khai sinh",
        "Đăng ký kết hôn",
        "Đăng ký nhận cha, mẹ, con",
        "Đăng ký khai sinh kết hợp nhận cha, mẹ, con",
        "Đăng ký khai tử",
        "Đăng ký khai sinh lưu động",
        "Đăng ký kết hôn lưu động",
        "Đăng ký khai tử lưu động",
        "Đăng ký giám hộ",
        "Đăng ký chấm dứt giám hộ",
        "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "Đăng ký lại khai sinh",
        "Đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
        "Đăng ký lại kết hôn",
        "Đăng ký lại khai tử",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Cấp bản sao Trích lục hộ tịch",
        "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ "
        "bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Liên thông thủ tục hành chính về đăng ký khai tử, xóa đăng ký thường trú, hưởng "
        "chế độ tử tuất",
    ],
    "Chứng thực": [
        "Cấp bản sao từ sổ gốc",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của "
        "Việt Nam cấp hoặc chứng nhận",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng "
        "đất và nhà ở",
        "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
        "Sửa lỗi sai sót trong hợp đồng, giao dịch",
        "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
        "Chứng thực di chúc",
        "Chứng thực văn bản từ chối nhận di sản",
        "Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản, quyền sử "
        "dụng đất, nhà ở",
        "Chứng thực văn bản khai nhận di sản mà di sản là động sản, quyền sử dụng đất, nhà ở",
    ],
    "Bảo trợ xã hội": [
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng",
        "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "Đổi, cấp lại Giấy xác nhận khuyết tật",
        "Trợ giúp xã hội khẩn cấp về hỗ trợ chi phí mai táng",
        "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm",
        "Công nhận hộ thoát nghèo, hộ thoát cận nghèo trong năm",
        "Công nhận hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống "
        "trung bình",
        "Đăng ký hoạt động đối với cơ sở trợ giúp xã hội dưới 10 đối tượng có hoàn cảnh khó khăn",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "Chi trả trợ cấp xã hội hàng tháng khi đối tượng thay đổi nơi cư trú",
        "Đăng ký nhận chăm sóc, nuôi dưỡng đối tượng cần bảo vệ khẩn cấp",
    ],
    "Người có công": [
        "Xác nhận vào đơn đề nghị di chuyển hài cốt liệt sĩ",
        "Giải quyết chế độ mai táng phí đối với người có công với cách mạng",
        "Cấp giấy xác nhận thân nhân của người có công",
        "Ủy quyền hưởng trợ cấp, phụ cấp ưu đãi",
        "Hưởng lại chế độ ưu đãi",
        "Sửa đổi thông tin cá nhân trong hồ sơ người có công",
    ],
    "Đất đai": [
        "Hòa giải tranh chấp đất đai",
        "Xác nhận hộ gia đình, cá nhân đang trực tiếp sản xuất nông nghiệp",
        "Tiếp nhận hồ sơ đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu tại cấp xã",
        "Tiếp nhận hồ sơ đăng ký biến động quyền sử dụng đất tại cấp xã",
        "Đăng ký đất đai lần đầu đối với trường hợp được Nhà nước giao đất để quản lý",
    ],
    "Văn hóa": [
        "Xét tặng danh hiệu Gia đình văn hóa hàng năm",
        "Xét tặng danh hiệu Khóm, ấp văn hóa",
        "Thông báo tổ chức lễ hội cấp xã",
        "Đăng ký hoạt động thư viện tư nhân có vốn sách ban đầu từ 500 bản đến dưới 1.000 bản",
        "Công nhận câu lạc bộ thể thao cơ sở",
    ],
    "Thi đua, khen thưởng": [
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thực hiện nhiệm vụ chính trị",
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã theo đợt hoặc chuyên đề",
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về khen thưởng đột xuất",
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã cho gia đình",
        "Xét tặng danh hiệu Lao động tiên tiến",
    ],
    "Tín ngưỡng, tôn giáo": [
        "Đăng ký hoạt động tín ngưỡng",
        "Đăng ký bổ sung hoạt động tín ngưỡng",
        "Đăng ký sinh hoạt tôn giáo tập trung",
        "Thông báo tổ chức quyên góp trong địa bàn một xã của cơ sở tín ngưỡng, tổ chức tôn giáo",
        "Đề nghị thay đổi địa điểm sinh hoạt tôn giáo tập trung trong địa bàn một xã",
    ],
    "Tư pháp": [
        "Công nhận tuyên truyền viên pháp luật",
        "Cho thôi làm tuyên truyền viên pháp luật",
        "Thủ tục bầu hòa giải viên",
        "Thủ tục bầu tổ trưởng tổ hòa giải",
        "Thủ tục thôi làm hòa giải viên",
        "Thủ tục thanh toán thù lao cho hòa giải viên",
        "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ "
        "gây thiệt hại",
    ],
    "Giải quyết khiếu nại, tố cáo": [
        "Giải quyết khiếu nại lần đầu tại cấp xã",
        "Giải quyết tố cáo tại cấp xã",
        "Tiếp công dân tại cấp xã",
        "Xử lý đơn tại cấp xã",
    ],
    "Giáo dục và Đào tạo": [
        "Cho phép nhóm trẻ, lớp mẫu giáo độc lập hoạt động giáo dục",
        "Thành lập nhóm trẻ, lớp mẫu giáo độc lập",
        "Sáp nhập, chia, tách nhóm trẻ, lớp mẫu giáo độc lập",
        "Giải thể nhóm trẻ, lớp mẫu giáo độc lập",
    ],
    "Lao động, việc làm": [
        "Xác nhận danh sách người lao động không có giao kết hợp đồng lao động bị ảnh hưởng "
        "bởi đại dịch COVID-19",
        "Xác nhận hộ kinh doanh phải dừng hoạt động do đại dịch COVID-19",
    ],
    "Nông nghiệp": [
        "Chuyển đổi cơ cấu cây trồng trên đất trồng lúa",
        "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do dịch bệnh",
        "Xác nhận thiệt hại do thiên tai trong sản xuất nông nghiệp",
    ],
    "Phòng, chống tệ nạn xã hội": [
        "Đăng ký cai nghiện ma túy tự nguyện tại gia đình",
        "Đăng ký cai nghiện ma túy tự nguyện tại cộng đồng",
        "Quyết định quản lý cai nghiện ma túy tự nguyện tại gia đình",
    ],
    "Nuôi con nuôi": [
        "Đăng ký nuôi con nuôi trong nước",
        "Đăng ký lại việc nuôi con nuôi trong nước",
    ],
}

# Real catalogues repeat a procedure name for sub-cases; used once the names run out.
CASE_QUALIFIERS = (
    " (trường hợp nộp hồ sơ trực tiếp)",
    " (trường hợp qua dịch vụ bưu chính công ích)",
    " đối với tổ chức",
    " đối với hộ gia đình, cá nhân",
    " (trường hợp có thay đổi thông tin)",
    " (liên thông)",
)

FAMILY_NAMES = (
    ("Nguyễn", 30),
    ("Trần", 12),
    ("Lê", 9),
    ("Phạm", 5),
    ("Huỳnh", 5),
    ("Võ", 4),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 2),
    ("Lý", 4),
    ("Lâm", 4),
    ("Thạch", 6),
    ("Sơn", 3),
    ("Danh", 2),
    ("Kim", 2),
    ("Triệu", 2),
    ("Trương", 2),
    ("Châu", 2),
    ("Tăng", 1),
    ("Quách", 1),
    ("Mai", 1),
)
MALE_MIDDLE = ("Văn", "Văn", "Văn", "Minh", "Hoàng", "Quốc", "Thanh", "Hữu", "Công", "Tấn")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Ngọc", "Thị Ngọc", "Kim", "Thanh", "Thị Mỹ", "Bích")
MALE_GIVEN = (
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hòa",
    "Hùng",
    "Khang",
    "Nam",
    "Phúc",
    "Quân",
    "Sang",
    "Tâm",
    "Tuấn",
    "Sơn",
    "Tài",
    "Hiếu",
    "Bảo",
    "Lộc",
    "Phước",
    "Thắng",
    "Toàn",
    "Trí",
    "Vinh",
    "Khải",
    "Sa Phol",
    "Sóc Kha",
    "Chanh",
    "Đông",
    "Nghĩa",
)
FEMALE_GIVEN = (
    "Lan",
    "Linh",
    "Mai",
    "Phương",
    "Thảo",
    "Trang",
    "Vy",
    "Yến",
    "Diễm",
    "Nhung",
    "Hoa",
    "Hạnh",
    "Huyền",
    "Ngân",
    "Nhi",
    "Oanh",
    "Thúy",
    "Trinh",
    "Xuân",
    "Loan",
    "Sa Rết",
    "Sà Ly",
    "Thơ",
    "Tiên",
    "Kiều",
)

BUSINESS_FORMS = (
    "Công ty TNHH MTV",
    "Công ty TNHH",
    "Công ty Cổ phần",
    "Hợp tác xã",
    "Doanh nghiệp tư nhân",
)
BUSINESS_TRADES = (
    "Thương mại Dịch vụ",
    "Xây dựng",
    "Nông nghiệp",
    "Vận tải",
    "Thủy sản",
    "Chế biến Lương thực",
    "Du lịch",
    "Vật liệu Xây dựng",
    "Điện máy",
    "Dược phẩm",
)
BUSINESS_NAMES = (
    "Phú Lợi",
    "Hưng Thịnh",
    "Minh Phát",
    "Sóc Trăng Xanh",
    "Tân Phát",
    "Thuận An",
    "Kim Phụng",
    "Hoàng Gia",
    "Nam Sông Hậu",
    "Phát Đạt",
    "Mỹ Thanh",
    "Bảo Ngọc",
)

STREETS = (
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lê Hồng Phong",
    "Phú Lợi",
    "Nguyễn Văn Linh",
    "Mạc Đĩnh Chi",
    "Lê Lợi",
    "Hùng Vương",
    "Tôn Đức Thắng",
    "Nguyễn Huệ",
    "Điện Biên Phủ",
    "Lý Thường Kiệt",
    "Võ Đình Sâm",
    "Trần Bình Trọng",
    "Phạm Hùng",
    "Văn Ngọc Chính",
    "Bạch Đằng",
    "Nguyễn Chí Thanh",
    "Đồng Khởi",
    "Sơn Đê",
)
NEARBY_DISTRICTS = (
    ("Mỹ Xuyên", ("Đại Tâm", "Tham Đôn", "Thạnh Phú", "Ngọc Tố")),
    ("Châu Thành", ("An Hiệp", "Phú Tâm", "Thuận Hòa", "Hồ Đắc Kiện")),
    ("Long Phú", ("Châu Khánh", "Phú Hữu", "Tân Hưng", "Long Đức")),
    ("Mỹ Tú", ("Mỹ Hương", "Long Hưng", "Mỹ Thuận", "Phú Mỹ")),
)

DOCUMENT_TYPES = (
    # (type, weight, number suffix for the city, for a ward)
    ("Công văn", 55, "UBND-VP", "UBND"),
    ("Quyết định", 15, "QĐ-UBND", "QĐ-UBND"),
    ("Báo cáo", 12, "BC-UBND", "BC-UBND"),
    ("Kế hoạch", 6, "KH-UBND", "KH-UBND"),
    ("Thông báo", 5, "TB-UBND", "TB-UBND"),
    ("Tờ trình", 4, "TTr-UBND", "TTr-UBND"),
    ("Giấy mời", 3, "GM-UBND", "GM-UBND"),
)

# Topics, with the months they belong to (empty: any month).
DOCUMENT_TOPICS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("công tác phòng, chống dịch COVID-19 trên địa bàn", ()),
    ("triển khai tiêm vắc xin phòng COVID-19", (3, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
    ("thực hiện Chỉ thị số 16/CT-TTg của Thủ tướng Chính phủ", (7, 8, 9)),
    ("chi trả hỗ trợ theo Nghị quyết số 68/NQ-CP của Chính phủ", (7, 8, 9, 10, 11)),
    ("công tác cải cách hành chính", ()),
    ("kết quả giải quyết thủ tục hành chính", ()),
    (
        "bầu cử đại biểu Quốc hội khóa XV và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ "
        "2021 - 2026",
        (1, 2, 3, 4, 5, 6),
    ),
    ("tổ chức các hoạt động mừng Đảng, mừng Xuân Tân Sửu năm 2021", (1, 2)),
    ("chăm lo Tết Nguyên đán Tân Sửu năm 2021 cho hộ nghèo, gia đình chính sách", (1, 2)),
    ("cấp Căn cước công dân gắn chíp cho người dân trên địa bàn", (1, 2, 3, 4, 5, 6)),
    ("công tác phòng, chống thiên tai và tìm kiếm cứu nạn", (5, 6, 7, 8, 9, 10)),
    ("bảo đảm trật tự an toàn giao thông", ()),
    ("công tác tuyển chọn, gọi công dân nhập ngũ năm 2021", (1, 2, 3)),
    ("công tác thu ngân sách nhà nước", ()),
    ("xây dựng đô thị văn minh, chỉnh trang đô thị", ()),
    ("công tác vệ sinh môi trường, thu gom rác thải", ()),
    ("công tác phòng cháy, chữa cháy", ()),
    ("chuyển đổi số trong cơ quan nhà nước", ()),
    ("công tác tiếp công dân, giải quyết khiếu nại, tố cáo", ()),
    ("rà soát hộ nghèo, hộ cận nghèo năm 2021", (9, 10, 11, 12)),
    ("công tác quản lý đất đai, trật tự xây dựng", ()),
    ("thực hiện chính sách đối với người có công với cách mạng", (6, 7)),
    ("tổng kết công tác năm 2021 và phương hướng nhiệm vụ năm 2022", (11, 12)),
    ("công tác thi đua, khen thưởng", ()),
    ("phòng, chống dịch tả lợn châu Phi", ()),
)

SIGNER_TITLES = ("Chủ tịch", "Phó Chủ tịch", "Phó Chủ tịch")

# The city People's Committee's specialised divisions (Decree 37/2014, as amended by Decree
# 108/2020), as positions name them: (head, deputy head, specialist).
CITY_DIVISIONS = (
    ("Chánh Văn phòng HĐND và UBND", "Phó Chánh Văn phòng HĐND và UBND",
     "Chuyên viên Văn phòng HĐND và UBND"),
    ("Trưởng phòng Nội vụ", "Phó Trưởng phòng Nội vụ", "Chuyên viên Phòng Nội vụ"),
    ("Trưởng phòng Tư pháp", "Phó Trưởng phòng Tư pháp", "Chuyên viên Phòng Tư pháp"),
    ("Trưởng phòng Tài chính - Kế hoạch", "Phó Trưởng phòng Tài chính - Kế hoạch",
     "Chuyên viên Phòng Tài chính - Kế hoạch"),
    ("Trưởng phòng Tài nguyên và Môi trường", "Phó Trưởng phòng Tài nguyên và Môi trường",
     "Chuyên viên Phòng Tài nguyên và Môi trường"),
    ("Trưởng phòng Lao động - Thương binh và Xã hội",
     "Phó Trưởng phòng Lao động - Thương binh và Xã hội",
     "Chuyên viên Phòng Lao động - Thương binh và Xã hội"),
    ("Trưởng phòng Văn hóa và Thông tin", "Phó Trưởng phòng Văn hóa và Thông tin",
     "Chuyên viên Phòng Văn hóa và Thông tin"),
    ("Trưởng phòng Giáo dục và Đào tạo", "Phó Trưởng phòng Giáo dục và Đào tạo",
     "Chuyên viên Phòng Giáo dục và Đào tạo"),
    ("Trưởng phòng Y tế", "Phó Trưởng phòng Y tế", "Chuyên viên Phòng Y tế"),
    ("Trưởng phòng Kinh tế", "Phó Trưởng phòng Kinh tế", "Chuyên viên Phòng Kinh tế"),
    ("Trưởng phòng Quản lý đô thị", "Phó Trưởng phòng Quản lý đô thị",
     "Chuyên viên Phòng Quản lý đô thị"),
    ("Chánh Thanh tra thành phố", "Phó Chánh Thanh tra thành phố", "Thanh tra viên"),
)  # fmt: skip

# A ward's People's Committee: its chair and vice-chairs lead it; the commune-level civil
# servants (Decree 92/2009, as amended by Decree 34/2019) and the heads of the mass
# organisations it pays are on its staff list too.
WARD_LEADER_TITLES = ("Chủ tịch UBND phường", "Phó Chủ tịch UBND phường")
WARD_STAFF_TITLES = (
    "Công chức Văn phòng - Thống kê",
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Địa chính - Xây dựng - Đô thị và Môi trường",
    "Công chức Tài chính - Kế toán",
    "Công chức Văn hóa - Xã hội",
    "Chỉ huy trưởng Ban Chỉ huy Quân sự phường",
    "Công chức Văn phòng - Thống kê",
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Địa chính - Xây dựng - Đô thị và Môi trường",
    "Công chức Văn hóa - Xã hội",
    "Chủ tịch Ủy ban MTTQ Việt Nam phường",
    "Chủ tịch Hội Liên hiệp Phụ nữ phường",
    "Bí thư Đoàn TNCS Hồ Chí Minh phường",
    "Chủ tịch Hội Cựu chiến binh phường",
    "Chủ tịch Hội Nông dân phường",
    "Công chức Tài chính - Kế toán",
)

# What desks write as the reason for a late result (on the apology letter).
LATE_REASONS = (
    "Lỗi đường truyền mạng",
    "Chờ ý kiến phối hợp của cơ quan có liên quan",
    "Phải xác minh thực địa",
    "Công chức thụ lý nghỉ ốm",
    "Phần mềm một cửa bị lỗi, không chuyển được hồ sơ",
    "Hồ sơ phải trình cấp trên xem xét",
)
