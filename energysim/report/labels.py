"""Words shown to people, in English and Chinese, keyed by the machine names of the outputs.

A key is the name a CSV column, cost component, band, outcome, asset or sheet carries
(``savings_cny``, ``basic_charge``, ``valley``, ``winner``, ``summary``); its label is what a
table header or a cell shows, with the unit in brackets where the quantity has one::

    label("savings_cny", "zh")   # '节省 [元]'
    label("peak", "en")          # 'peak'
    label("no_such_key", "zh")   # 'no_such_key' (unknown keys fall back to themselves)

The Excel workbook, the HTML report and the figures use them; the names of enterprises and
the descriptions of cases are the scenario's own (`energysim.report.names`).
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("en", "zh")
"""Languages a report can be written in."""

LABELS: dict[str, tuple[str, str]] = {
    # sheets
    "summary": ("Summary", "概要"),
    "savings": ("Savings", "节省"),
    "decomposition": ("Decomposition", "分解"),
    "costs": ("Costs by month", "月度费用"),
    "indicators": ("Indicators", "园区指标"),
    "green_direct": ("Green direct supply", "绿电直连"),
    "green_compliance": ("Green compliance", "绿电合规"),
    "vpp_events": ("VPP events", "虚拟电厂事件"),
    "economics": ("Investment economics", "投资经济性"),
    "cashflows": ("Cash flows", "现金流"),
    "economics_findings": ("Investment findings", "投资结论"),
    "sizing": ("Sizing", "容量优化"),
    "park_allocation": ("Sharing the park's saving", "园区收益分配"),
    "tariffs": ("Tariff bands", "电价时段"),
    "daily_energy": ("Daily energy", "每日电量"),
    # summary
    "item": ("Item", "条目"),
    "value": ("Value", "内容"),
    "scenario": ("Scenario", "情景"),
    "scenario_file": ("Scenario file", "情景文件"),
    "energysim_version": ("energysim version", "energysim 版本"),
    "horizon_start": ("Horizon start", "起始日期"),
    "horizon_end": ("Horizon end (exclusive)", "结束日期（不含）"),
    "resolution": ("Resolution", "时间分辨率"),
    "steps": ("Time steps", "时间步数"),
    "baseline_case": ("Baseline case", "基准方案"),
    "grid_emission_factor": ("Grid emission factor", "电网排放因子"),
    "enterprises": ("Enterprises (one model)", "模型所含企业"),
    "notes": ("Notes", "说明"),
    "description": ("Description", "方案说明"),
    "tariff": ("Tariff", "电价"),
    "tariff_per_enterprise": ("each enterprise's own", "各企业自身电价"),
    "assets": ("Assets", "资产"),
    "status": ("Status", "求解状态"),
    "optimal": ("optimal", "最优"),
    "optimality": ("Optimality", "最优性"),
    "exact": ("exact", "精确最优"),
    "solve_seconds": ("Solve time [s]", "求解时间 [秒]"),
    "case_savings_cny": ("Savings vs baseline [CNY]", "较基准节省 [元]"),
    # columns shared by the tables
    "case": ("Case", "方案"),
    "enterprise": ("Enterprise", "企业"),
    "case_description": ("Case description", "方案说明"),
    "enterprise_name": ("Enterprise name", "企业名称"),
    "scope_name": ("Name", "名称"),
    "park_total": ("park total", "园区合计"),
    "month": ("Month", "月份"),
    "date": ("Date", "日期"),
    "component": ("Component", "费用项"),
    "cost_cny": ("Cost [CNY]", "费用 [元]"),
    "total": ("Total", "合计"),
    "total_cost_cny": ("Total cost [CNY]", "总费用 [元]"),
    # savings and decomposition
    "baseline_cost_cny": ("Baseline cost [CNY]", "基准费用 [元]"),
    "savings_cny": ("Savings [CNY]", "节省 [元]"),
    "savings_pct": ("Savings [%]", "节省率 [%]"),
    "tariff_effect_cny": ("Tariff effect [CNY]", "电价效应 [元]"),
    "response_effect_cny": ("Response effect [CNY]", "响应效应 [元]"),
    "outcome": ("Outcome", "结果"),
    "outcome_if_held": ("Outcome, dispatch held", "结果（运行方式不变）"),
    "reference_case": ("Reference case", "参照方案"),
    # economics
    "economics_note": ("Each enterprise's PV and batteries: capital cost, the year's saving "
                       "against the case with its tariff and no assets, extrapolated over {years} "
                       "years and discounted at {rate} % (costs: library {library}, assumptions "
                       "with their sources; economics.csv and cashflows.csv hold every figure).",
                       "各企业光伏与储能的投资：初始投资，较同电价无资产方案的年节省，按{years}年外推、"
                       "折现率{rate}%（成本取自{library}库，均为注明来源的假设；详见economics.csv与"
                       "cashflows.csv）。"),
    "capex_cny": ("Capital cost [CNY]", "初始投资 [元]"),
    "annual_savings_cny": ("Yearly savings vs the reference [CNY]", "较参照方案年节省 [元]"),
    "annual_savings_vs_baseline_cny": ("Yearly savings vs the baseline [CNY]",
                                       "较基准方案年节省 [元]"),
    "npv_cny": ("Net present value [CNY]", "净现值 [元]"),
    "irr": ("Internal rate of return [-]", "内部收益率 [-]"),
    "simple_payback_years": ("Payback [years]", "静态回收期 [年]"),
    "discounted_payback_years": ("Discounted payback [years]", "动态回收期 [年]"),
    "lcoe_cny_per_kwh": ("LCOE of the PV [CNY/kWh]", "光伏平准化度电成本 [元/千瓦时]"),
    "lcos_cny_per_kwh": ("LCOS of the batteries [CNY/kWh]", "储能平准化度电成本 [元/千瓦时]"),
    "discount_rate": ("Discount rate [-]", "折现率 [-]"),
    "analysis_years": ("Analysis period [years]", "分析年限 [年]"),
    "year": ("Year", "年份"),
    "cashflow_cny": ("Cash flow [CNY]", "现金流 [元]"),
    # sizing
    "kind": ("Kind", "类型"),
    "asset": ("Asset", "设备"),
    "at": ("Behind the meter of", "所在计量点"),
    "unit": ("Unit", "单位"),
    "max_size": ("Largest allowed", "容量上限"),
    "size": ("Size chosen", "优化容量"),
    "at_max": ("At the largest allowed", "达到上限"),
    "cny_per_unit_year": ("Annualised cost [CNY/(unit·year)]", "年化成本 [元/(单位·年)]"),
    "annual_capacity_cost_cny": ("Annualised cost [CNY/year]", "年化投资成本 [元/年]"),
    "sized_at": ("Sized at steps of", "优化时间步长"),
    "sizing_solve_s": ("Sizing LP [s]", "容量优化求解 [秒]"),
    # the park's connection and the platform company
    "import_kwh": ("Import at the connection [kWh]", "关口购电量 [千瓦时]"),
    "export_kwh": ("Export at the connection [kWh]", "关口上网电量 [千瓦时]"),
    "coincident_peak_kw": ("Coincident peak [kW]", "园区同时最大需量 [千瓦]"),
    "sum_of_member_peaks_kw": ("Sum of the members' peaks [kW]", "各成员最大需量之和 [千瓦]"),
    "grid_bill_cny": ("Grid bill at the connection [CNY]", "关口电费 [元]"),
    "members_paid_cny": ("Members' payments [CNY]", "成员缴费 [元]"),
    "asset_operating_cny": ("Assets' operating costs [CNY]", "资产运行成本 [元]"),
    "asset_capital_cny": ("Assets' capital cost, annualised [CNY]", "资产年化投资 [元]"),
    "asset_costs_cny": ("Assets' costs [CNY]", "资产成本 [元]"),
    "platform_margin_cny": ("Platform company's margin [CNY]", "平台公司收益 [元]"),
    "platform": ("the park's platform company", "园区平台公司"),
    "members_payments": ("members' payments", "成员缴费"),
    "park_discount": ("park discount", "园区折扣"),
    "park_bill_as_alone": ("bill as if metered alone", "按单独计量电费结算差额"),
    "park_wear_as_alone": ("battery wear as if run alone", "按单独运行计储能损耗差额"),
    "members_wear": ("members' batteries' extra wear", "成员储能新增损耗"),
    "member": ("Member", "成员"),
    "alone_cny": ("Bill alone [CNY]", "单独计量电费 [元]"),
    "standalone_value_cny": ("Saving alone behind the connection [CNY]", "单独接入关口的节省 [元]"),
    "allocated_cny": ("Saving allocated [CNY]", "分配收益 [元]"),
    "allocated_share": ("Share of the park's saving [-]", "收益分配比例 [-]"),
    "shapley_se_cny": ("Standard error of the sampled Shapley value [CNY]", "夏普利值抽样标准误 [元]"),
    "individually_rational": ("Better off than alone", "优于单独参与"),
    "capex": ("capital cost", "初始投资"),
    "om": ("operation and maintenance", "运维费用"),
    "replacement": ("replacement", "更换费用"),
    "reference_cost_cny": ("Reference cost [CNY]", "参照方案费用 [元]"),
    "winner": ("winner", "受益"),
    "loser": ("loser", "受损"),
    "unchanged": ("unchanged", "不变"),
    # cost components
    "energy": ("Energy charge", "电量电费"),
    "basic_charge": ("Basic charge", "基本电费"),
    "export_credit": ("Export credit", "上网收益"),
    "storage_wear": ("Storage wear", "储能损耗"),
    "unserved_load_cost": ("Unserved load", "未供负荷损失"),
    "vpp_energy_revenue": ("VPP energy revenue", "虚拟电厂电量收益"),
    "vpp_capacity_revenue": ("VPP capacity revenue", "虚拟电厂容量收益"),
    "vpp_penalty": ("VPP penalty", "虚拟电厂考核"),
    "green_ppa": ("Green PPA", "绿电购电费"),
    "green_fees": ("Green supply fees", "绿电直连费用"),
    "green_feed_in_credit": ("Green feed-in credit", "绿电上网收益"),
    "generator_fuel": ("Generator fuel", "发电机燃料费"),
    # indicators
    "scope": ("Scope", "范围"),
    "park": ("park", "园区"),
    "peak_import_kw": ("Peak import [kW]", "最大购电功率 [kW]"),
    "peak_month": ("Peak month", "峰值月份"),
    "peak_time": ("Peak time", "峰值时刻"),
    "grid_import_kwh": ("Grid import [kWh]", "电网购电量 [kWh]"),
    "midday_import_kwh": ("Midday import [kWh]", "午间购电量 [kWh]"),
    "evening_peak_import_kwh": ("Evening peak import [kWh]", "晚高峰购电量 [kWh]"),
    "pv_available_kwh": ("PV available [kWh]", "光伏可发电量 [kWh]"),
    "pv_curtailed_kwh": ("PV curtailed [kWh]", "光伏弃电量 [kWh]"),
    "storage_cycles_per_day": ("Storage cycles [1/day]", "储能日均循环 [次/天]"),
    "average_import_price_cny_per_kwh": ("Average import price [CNY/kWh]", "平均购电价 [元/kWh]"),
    "cost_per_kwh_consumed_cny": ("Cost per kWh consumed [CNY/kWh]", "单位用电成本 [元/kWh]"),
    "midday_net_import_kwh": ("Midday net import [kWh]", "午间净购电量 [kWh]"),
    "evening_peak_net_import_kwh": ("Evening peak net import [kWh]", "晚高峰净购电量 [kWh]"),
    "grid_revenue_cny": ("Grid company revenue [CNY]", "电网企业电费收入 [元]"),
    "grid_revenue_change_cny": ("Grid revenue change vs baseline [CNY]",
                                "电网企业收入变化（较基准） [元]"),
    "grid_revenue_change_vs_reference_cny": ("Grid revenue change vs reference [CNY]",
                                             "电网企业收入变化（较参照方案） [元]"),
    "co2_kg": ("CO2 of grid imports [kg]", "购电二氧化碳排放 [kg]"),
    "co2_factor_kgco2_per_kwh": ("Grid emission factor [kgCO2/kWh]", "电网排放因子 [kgCO2/kWh]"),
    "green_share": ("Green share of consumption", "绿电消费占比"),
    # daily energy
    "load_kwh": ("Load served [kWh]", "用电量 [kWh]"),
    "original_load_kwh": ("Original load [kWh]", "原始负荷电量 [kWh]"),
    "grid_export_kwh": ("Grid export [kWh]", "上网电量 [kWh]"),
    "pv_kwh": ("PV delivered [kWh]", "光伏发电量 [kWh]"),
    "pv_curtail_kwh": ("PV curtailed [kWh]", "光伏弃电量 [kWh]"),
    "storage_charge_kwh": ("Storage charge [kWh]", "储能充电量 [kWh]"),
    "storage_discharge_kwh": ("Storage discharge [kWh]", "储能放电量 [kWh]"),
    "load_curtail_kwh": ("Load curtailed [kWh]", "削减负荷电量 [kWh]"),
    "vpp_response_kwh": ("VPP response [kWh]", "虚拟电厂响应电量 [kWh]"),
    "green_direct_kwh": ("Green direct supply [kWh]", "绿电直连电量 [kWh]"),
    "generator_kwh": ("Generator [kWh]", "发电机发电量 [kWh]"),
    # VPP events
    "event": ("Event", "事件"),
    "baseline_kwh": ("Baseline [kWh]", "基线电量 [kWh]"),
    "delivered_kwh": ("Delivered [kWh]", "实际响应电量 [kWh]"),
    "paid_kwh": ("Paid [kWh]", "结算电量 [kWh]"),
    "requested_kwh": ("Requested [kWh]", "邀约电量 [kWh]"),
    "revenue_cny": ("Revenue [CNY]", "收益 [元]"),
    "penalty_cny": ("Penalty [CNY]", "考核费用 [元]"),
    # green direct supply
    "project": ("Project", "项目"),
    "green_supplied_kwh": ("Green supplied [kWh]", "绿电供应量 [kWh]"),
    "consumption_kwh": ("Consumption [kWh]", "用电量 [kWh]"),
    "green_share_of_consumption": ("Green share of consumption [%]", "绿电占用电比例 [%]"),
    "generation_available_kwh": ("Generation available [kWh]", "可发电量 [kWh]"),
    "feed_in_kwh": ("Feed-in [kWh]", "上网电量 [kWh]"),
    "curtailed_kwh": ("Curtailed [kWh]", "弃电量 [kWh]"),
    "self_consumption_share_of_generation": ("Self-consumption share [%]", "自发自用比例 [%]"),
    "feed_in_share_of_generation": ("Feed-in share [%]", "上网电量比例 [%]"),
    "project_share_of_consumption": ("Project share of consumption [%]", "项目绿电占用电比例 [%]"),
    "co2_avoided_t": ("CO2 avoided [t]", "CO2 减排量 [吨]"),
    "green_cost_cny": ("Green cost [CNY]", "绿电费用 [元]"),
    "green_cost_cny_per_kwh": ("Green cost [CNY/kWh]", "绿电单位成本 [元/kWh]"),
    "rules_mode": ("Rules", "规则模式"),
    "compliant": ("Compliant", "是否合规"),
    "rule": ("Rule", "规则"),
    "mode": ("Mode", "模式"),
    "required_share": ("Required [%]", "要求比例 [%]"),
    "achieved_share": ("Achieved [%]", "实际比例 [%]"),
    "margin_share": ("Margin [%-points]", "余量 [百分点]"),
    "margin_kwh": ("Margin [kWh]", "余量 [kWh]"),
    "check": ("check", "核查"),
    "enforce": ("enforce", "强制"),
    "self_consumption": ("self-consumption share", "自发自用比例"),
    "share_of_consumption": ("share of consumption", "占用电比例"),
    "feed_in": ("feed-in share", "上网电量比例"),
    # assets
    "pv": ("PV", "光伏"),
    "storage": ("storage", "储能"),
    "flex": ("flexible load", "柔性负荷"),
    "vpp": ("VPP", "虚拟电厂"),
    "generator": ("generator", "发电机"),
    # tariff bands and day types
    "critical_peak": ("critical peak", "尖峰"),
    "peak": ("peak", "高峰"),
    "flat": ("flat", "平段"),
    "valley": ("valley", "低谷"),
    "deep_valley": ("deep valley", "深谷"),
    "price_cny_per_kwh": ("Energy price [CNY/kWh]", "电度电价 [元/kWh]"),
    "spot_price": ("spot price + adder [CNY/kWh]: bands are labels only",
                   "现货价格 + 附加 [元/kWh]：时段仅作标识"),
    "default_table_note": ("* the default table: it prices every month without a published "
                           "table of its own", "* 默认价格表：未公布当月价格表的月份按此计价"),
    "every_day": ("every day", "每天"),
    "working": ("working days", "工作日"),
    "weekend": ("weekends", "周末"),
    "holiday": ("public holidays", "法定节假日"),
    "new_year": ("New Year's Day", "元旦"),
    "spring_festival": ("Spring Festival", "春节"),
    "qingming": ("Qingming", "清明节"),
    "labour_day": ("Labour Day", "劳动节"),
    "dragon_boat": ("Dragon Boat Festival", "端午节"),
    "mid_autumn": ("Mid-autumn Festival", "中秋节"),
    "national_day": ("National Day", "国庆节"),
    # units
    "unit_cny": ("CNY", "元"),
    "list_separator": (", ", "、"),
    # report: headings, captions and notes of report.html (energysim.report.html)
    "report_title": ("Electricity cost report", "园区用电成本分析报告"),
    "run": ("What was run", "运行内容"),
    "findings": ("Headline findings", "主要结论"),
    "no_findings": ("No finding could be drawn from these results.", "这些结果无法得出结论。"),
    "costs_by_component": ("Costs by component", "分项费用"),
    "figures": ("Figures", "图表"),
    "cases": ("Cases", "方案"),
    "park_totals": ("Park totals", "园区合计"),
    "by_enterprise": ("By enterprise", "分企业"),
    "generated_at": ("Report generated", "报告生成时间"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "no_baseline": ("The baseline case {case} was not run: no savings or decomposition against it.",
                    "未运行基准方案 {case}：无法计算节省及其分解。"),
    "savings_note": ("Savings against the baseline case {case}, over the horizon; positive: pays "
                     "less. Green: winner, red: loser.",
                     "模拟期内较基准方案 {case} 的节省；正值表示少付。绿色为受益，红色为受损。"),
    "decomposition_note": ("Each case against its reference (the case with the same assets "
                           "under today's tariff where there is one, else the baseline). Tariff "
                           "effect: the reference's flows, its dispatch held, re-priced under "
                           "the case's tariff; response effect: the rest, from re-optimising. "
                           "Positive effects raise the bill.",
                           "各方案与其参照方案比较（有相同资产、现行电价的方案时取该方案，否则取"
                           "基准方案）。电价效应：参照方案的用电曲线（运行方式不变）按新电价重新"
                           "计费带来的变化；响应效应：其余变化，来自重新优化。正值表示电费增加。"),
    "indicators_note": ("Park rows; midday window {midday}, evening window {evening}.",
                        "园区合计；午间时段 {midday}，晚高峰时段 {evening}。"),
    "vpp_no_events": ("No VPP event falls within the horizon of case {case}.",
                      "方案 {case} 的模拟期内没有虚拟电厂响应事件。"),
    "figure_dispatch": ("Dispatch of {enterprise} in case {case}", "方案 {case} 中 {enterprise} 的运行曲线"),
    "figure_park": ("The park's net load before and after its connection's assets, and its "
                    "coincident monthly peaks against the sum of the members' own",
                    "园区接入关口前后的净负荷，及园区同时最大需量与各成员最大需量之和"),
    "park_section": ("The park microgrid: the platform company's connection",
                     "园区微电网：平台公司关口"),
    "figure_economics": ("Cumulative discounted cash flow of each enterprise's assets, by case",
                         "各企业资产在各方案下的累计折现现金流"),
    "figure_savings": ("Savings per enterprise against the baseline", "各企业较基准方案的节省"),
    "figure_waterfall": ("Case {case}: from the baseline cost through the tariff and response effects",
                         "方案 {case}：由基准费用经电价效应与响应效应到方案费用"),
    "figure_monthly_peak": ("The park's peak grid import per month and case",
                            "各方案园区每月最大购电功率"),
    "figure_load_duration": ("Grid import duration curves: the baseline against case {case}",
                             "购电功率持续曲线：基准方案与方案 {case}"),
    "figure_tariff": ("Bands of tariff {tariff}, month × time of day",
                      "电价 {tariff} 的时段分布（月份 × 时刻）"),
    "secondary_tariffs": ("Tariffs with figures from secondary sources or assumptions",
                          "含二手资料数据或假设的电价"),
    "tariff_key": ("Tariff key", "电价代号"),
    "tariff_name": ("Tariff name", "电价名称"),
    "document": ("Document", "文件"),
    "source": ("Source", "来源"),
    "offline_note": ("Self-contained file: opens offline, figures embedded.",
                     "本文件自包含：可离线打开，图表已内嵌。"),
    # figures: titles, axes and legends of the PNG figures (energysim.report.figures,
    # figures_costs, tariff_views); {placeholders} are filled in with str.format
    "fig_grid_import": ("grid import", "电网购电"),
    "fig_pv": ("PV delivered", "光伏供电"),
    "fig_storage_discharge": ("storage discharge", "储能放电"),
    "fig_green_direct": ("green direct line", "绿电直连"),
    "fig_generator": ("generator", "发电机"),
    "fig_load": ("load", "负荷"),
    "fig_demand": ("load + charge + export", "负荷 + 充电 + 上网"),
    "fig_power_kw": ("Power [kW]", "功率 [kW]"),
    "fig_soc_kwh": ("State of charge [kWh]", "储能电量 [kWh]"),
    "fig_no_storage": ("no storage in this case", "本方案无储能"),
    "fig_local_time": ("Local time (UTC+8)", "北京时间 (UTC+8)"),
    "fig_weekdays": ("Mon Tue Wed Thu Fri Sat Sun", "周一 周二 周三 周四 周五 周六 周日"),
    "fig_dispatch_title": ("{enterprise}: case ‘{case}’, week of {start}",
                           "{enterprise}：方案“{case}”，{start} 起一周"),
    "fig_unit_10k_cny": ("10k CNY", "万元"),
    "fig_savings_title": ("Savings per enterprise against the baseline ‘{baseline}’ (positive: pays less)",
                          "各企业较基准方案“{baseline}”的节省（正值表示少付）"),
    "fig_savings_axis": ("Savings against baseline [{unit}]", "较基准节省 [{unit}]"),
    "fig_park_before": ("members' net draw (before)", "成员净用电（接入前）"),
    "fig_park_after": ("at the connection, with the park's assets (after)", "关口净购电（含园区资产）"),
    "fig_park_axis": ("kW", "千瓦"),
    "fig_park_day": ("'{case}': the park's average day", "“{case}”：园区平均日负荷"),
    "fig_park_peaks": ("'{case}': monthly peaks", "“{case}”：月度最大需量"),
    "fig_cumulative_title": ("Cumulative discounted cash flow of the assets, by case (at {rate} %): "
                             "where a line crosses zero they have paid back",
                             "各方案下资产的累计折现现金流（折现率{rate}%）：曲线过零即已回收投资"),
    "fig_cumulative_axis": ("Cumulative discounted cash flow [{unit}]", "累计折现现金流 [{unit}]"),
    "fig_cost_axis": ("Cost [{unit}]", "费用 [{unit}]"),
    "fig_waterfall_title": ("Case ‘{case}’ against the baseline ‘{baseline}’: tariff effect and response "
                            "effect (positive raises the bill)",
                            "方案“{case}”与基准方案“{baseline}”对比：电价效应与响应效应（正值表示电费增加）"),
    "fig_baseline_cost": ("reference", "参照费用"),
    "fig_tariff_effect": ("tariff effect", "电价效应"),
    "fig_response_effect": ("response effect", "响应效应"),
    "fig_case_cost": ("case", "方案费用"),
    "fig_park_total": ("Park total", "园区合计"),
    "fig_monthly_peak_title": ("Park peak grid import per month [kW]", "园区每月最大购电功率 [kW]"),
    "fig_monthly_peak_note": ("coincident over all enterprises; in brackets: change against the "
                              "baseline ‘{baseline}’",
                              "各企业同一时刻合计；括号内为较基准方案“{baseline}”的变化"),
    "fig_load_duration_title": ("Grid import duration curves: baseline ‘{baseline}’ against case ‘{case}’",
                                "购电功率持续曲线：基准方案“{baseline}”与方案“{case}”"),
    "fig_duration_h": ("Hours at or above this import [h]", "不低于该功率的时长 [h]"),
    "fig_grid_import_kw": ("Grid import [kW]", "购电功率 [kW]"),
    "fig_curve_legend": ("{case}: peak {peak} kW, {energy} MWh", "{case}：最大 {peak} kW，{energy} MWh"),
    "fig_time_of_day": ("Time of day [h], local time", "时刻 [h]，北京时间"),
    "fig_on_days": ("on {days}", "{days}"),
    "fig_band_price": ("{band} {price} CNY/kWh", "{band} {price} 元/kWh"),
}
"""Key → (English, Chinese)."""


def check_lang(lang: str) -> str:
    """``lang`` if it is one of `LANGS`, else ValueError."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of: {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str) -> str:
    """What ``key`` is called in ``lang``; the key itself where it has no label.

    Raises
    ------
    ValueError
        ``lang`` is not one of `LANGS`.
    """
    position = LANGS.index(check_lang(lang))
    words = LABELS.get(key)
    return key if words is None else words[position]


def optimality_text(bound_cny: float, total_cny: float, exact: bool, lang: str) -> str:
    """``exact``, or how far above the least possible the cost may be, in ``lang``."""
    if exact:
        return label("exact", lang)
    share = bound_cny / abs(total_cny) if total_cny else float("nan")
    if lang == "zh":
        return f"与最优相差不超过 {bound_cny:,.0f} 元（{share:.4%}）"
    return f"within {bound_cny:,.0f} CNY ({share:.4%}) of the optimum"


def labels(keys, lang: str) -> list[str]:
    """`label` of each of ``keys``."""
    return [label(k, lang) for k in keys]


def with_unit(key: str, unit_key: str, lang: str) -> str:
    """``label(key)`` followed by the unit in brackets, e.g. ``电量电费 [元]``."""
    return f"{label(key, lang)} [{label(unit_key, lang)}]"
